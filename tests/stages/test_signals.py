import pyarrow as pa

from datamill.pipeline.schema import SIGNALS
from datamill.pipeline.signals import merged_signal_columns, merged_signals


def _batch() -> pa.Table:
    old = pa.array([[("a", 1.0)], None, [("b", 2.0), ("c", 3.0)], [("d", 4.0)]], SIGNALS)
    return pa.table({"signals": old}).slice(1, 3)  # a sliced map column: rows 1..3


def test_new_columns_win_and_a_null_keeps_the_earlier_value():
    merged = merged_signal_columns(_batch(), {"b": [None, None, 7.0], "c": pa.array([1.0, None, None])})
    assert merged.to_pylist() == [[("c", 1.0)], [("b", 2.0), ("c", 3.0)], [("d", 4.0), ("b", 7.0)]]


def test_per_row_dicts_and_a_batch_without_signals():
    merged = merged_signals(_batch(), [{"b": 9.0}, {"x": 1.0, "b": 5.0}, {}])
    assert merged.to_pylist() == [[("b", 9.0)], [("c", 3.0), ("b", 5.0), ("x", 1.0)], [("d", 4.0)]]
    assert merged_signals(pa.table({"n": [1, 2]}), [{}, {"q": 1.0}]).to_pylist() == [[], [("q", 1.0)]]

"""A global stage's view joins a shard's batches into blocks before the mapped function."""

import pyarrow as pa

from datamill.pipeline.view import blocks


def test_blocks_join_batches_in_order_up_to_the_size():
    tables = [pa.table({"x": list(range(10 * i, 10 * i + 10))}) for i in range(7)]
    out = list(blocks(iter(tables), size=3 * tables[0].nbytes))
    assert [t.num_rows for t in out] == [30, 30, 10]
    assert pa.concat_tables(out).column("x").to_pylist() == list(range(70))
    assert list(blocks(iter([]))) == []
    assert [t.num_rows for t in blocks(iter(tables), size=1)] == [10] * 7

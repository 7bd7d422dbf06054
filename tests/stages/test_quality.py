import pyarrow as pa
import pytest

from datamill.pipeline.schema import WORKING_SCHEMA, conform
from datamill.stages.quality import Quality, QualityConfig, rule_signals

EN_ARTICLE = """Data curation decides much of what a language model learns during pre-training. A team that \
collects web pages has to remove navigation menus, cookie banners and footers before the text is useful.

The first step is extraction. It turns raw HTML into the main text of the page, and it has to cope with \
legacy encodings that are still common on older sites. When the extraction is careless, the model sees \
the same menu text thousands of times.

The second step is filtering. Simple rules catch pages that are too short, full of symbols or made of \
lists, and a small classifier trained on good and bad examples ranks what remains. Every decision is \
recorded with the document, so that an engineer can later see why a page was kept or dropped.

Finally, near-duplicate detection keeps one copy of every repeated article. This matters because \
repeated text is memorised by the model and wastes part of the training budget that could have been \
spent on new material."""

ZH_ARTICLE = "\n".join(
    [
        "大语言模型的能力在很大程度上取决于训练数据的质量。"
        "网页数据量巨大，但其中混杂着导航栏、广告和大量重复内容。",
        "第一步是正文抽取。我们需要把原始网页转换成干净的正文，同时正确处理中文网站常见的 GBK 编码。",
        "第二步是质量过滤。"
        "简单的规则可以剔除过短、标点异常或者由列表组成的页面，而一个小型分类器则负责给剩下的文档打分。",
        "第三步是去重。相似的文章只保留一份，因为重复的文本会被模型记住，也会浪费宝贵的训练预算。",
        "最后，每一个决定都会和文档一起被记录下来，工程师可以随时查看某个页面为什么被保留或者被丢弃。",
    ]
)


def _lines(items):
    return "\n".join(items)


EN_CASES = {
    "gopher_too_few_words": "Buy cheap shoes online today.",
    "gopher_short_words": " ".join(["a b c d e f g h i j"] * 10) + ".",
    "gopher_long_words": " ".join(f"Internationalisation{i}alisation" for i in range(80)) + ".",
    "gopher_many_symbols": EN_ARTICLE + " " + " ".join(f"#tag{i}" for i in range(40)),
    "gopher_bullet_lines": _lines(
        f"- item {i} of the list with the best offers and deals today." for i in range(30)
    ),
    "gopher_ellipsis_lines": _lines(
        f"Read the rest of story number {i} on the site of the paper..." for i in range(30)
    ),
    "gopher_few_alphabetic_words": " ".join(str(1000 + i) for i in range(200)) + " the end of it.",
    "gopher_few_stop_words": " ".join(f"keyword{i} product{i} discount{i}." for i in range(40)),
    "gopher_duplicate_lines": _lines(
        ["Click here to subscribe to our newsletter today."] * 20 + [EN_ARTICLE]
    ),
    "gopher_duplicate_paragraphs": EN_ARTICLE + "\n\n" + "\n\n".join([EN_ARTICLE.split("\n\n")[1]] * 6),
    "gopher_top_2gram": "buy now " * 200 + "and that is the end of it.",
    "gopher_duplicate_5grams": EN_ARTICLE + " " + EN_ARTICLE.replace("\n\n", " "),
    "c4_lorem_ipsum": EN_ARTICLE + "\n\nLorem ipsum dolor sit amet, consectetur adipiscing elit.",
    "c4_curly_brackets": EN_ARTICLE + "\n\nfunction add(a, b) { return a + b; }",
    "c4_too_few_sentences": EN_ARTICLE.replace(".", ","),
    "c4_javascript_lines": _lines(
        [f"Please enable JavaScript in your browser to read article {i}." for i in range(5)] + [EN_ARTICLE]
    ),
    "c4_policy_lines": _lines(
        ["Privacy Policy.", "Terms of Use.", "This site uses cookies to improve the service."] + [EN_ARTICLE]
    ),
    "fineweb_few_punctuated_lines": _lines(
        f"the team of the year {i} and the players with the best scores of the season" for i in range(30)
    ),
    "fineweb_short_lines": _lines(
        ["Home", "About us", "Contact", "Products", "News", "Shop", "Blog", "Jobs", "Help", "Login"]
        + [EN_ARTICLE]
    ),
    "fineweb_duplicate_line_chars": EN_ARTICLE
    + "\n"
    + _lines([EN_ARTICLE.split("\n\n")[0].split(". ")[0]] * 3),
    "fineweb_list_like": _lines(f"{w} and {w}." for w in EN_ARTICLE.split()[:60]),
}

ZH_CASES = {
    "zh_too_short": "今天天气很好。",
    "zh_few_cjk_chars": "下载 "
    + " ".join(f"file_{i}.zip size={i * 7}KB md5=abc{i:04d}" for i in range(20))
    + "。",
    "zh_no_punctuation": " ".join(["便宜手机 二手手机 手机回收 高价回收 苹果手机 华为手机 小米手机"] * 6),
    "zh_mostly_punctuation": "好！！！！！！！！？？？？？？！！！！！！！。。。。。。。" * 5,
    "zh_few_punctuated_lines": _lines(
        f"第{i}条新闻 今日热点 最新消息 精彩推荐 点击查看详情内容" for i in range(20)
    ),
    "zh_short_lines": _lines(
        ["首页", "新闻", "体育", "财经", "娱乐", "科技", "汽车", "房产", "教育", "旅游", "游戏", "登录"]
        + [ZH_ARTICLE]
    ),
    "zh_duplicate_lines": _lines(["关注我们的公众号，获取更多精彩内容。"] * 10 + [ZH_ARTICLE]),
    "zh_top_2gram": "买买" * 200 + "。这是一个测试文本。",
    "zh_duplicate_5grams": ZH_ARTICLE + "\n" + ZH_ARTICLE,
}


def _failed(text, lang, **config):
    return [rule for rule, _ in rule_signals(text, lang, QualityConfig(**config))[1]]


def test_clean_articles_pass_every_rule():
    assert _failed(EN_ARTICLE, "en") == []
    assert _failed(ZH_ARTICLE, "zh") == []


@pytest.mark.parametrize(("rule", "text"), sorted(EN_CASES.items()))
def test_english_rule_rejects_its_case(rule, text):
    assert rule in _failed(text, "en")


@pytest.mark.parametrize(("rule", "text"), sorted(ZH_CASES.items()))
def test_chinese_rule_rejects_its_case(rule, text):
    assert rule in _failed(text, "zh")


def _batch(texts, langs):
    table = pa.table({"id": [str(i) for i in range(len(texts))], "text": texts, "lang": langs})
    return conform(table, WORKING_SCHEMA)


def test_stage_writes_every_signal_and_names_the_first_failed_rule():
    stage = Quality()
    stage.setup()
    out = stage(
        _batch([EN_ARTICLE, ZH_ARTICLE, "Buy cheap shoes online today.", ""], ["en", "zh", "en", None])
    )
    reasons = out.column("drop_reason").to_pylist()
    assert reasons[:2] == [None, None]
    assert reasons[2] == "quality:gopher_too_few_words:5"
    assert reasons[3] == "quality:no_text"
    en, zh, short, _ = (dict(s or []) for s in out.column("signals").to_pylist())
    assert en["gopher_words"] == len(EN_ARTICLE.split())
    assert {k.split("_")[0] for k in en} == {"gopher", "c4", "fineweb"}
    assert {k.split("_")[0] for k in zh} == {"zh"}
    assert zh["zh_chars"] == len("".join(ZH_ARTICLE.split()))
    assert short["gopher_words"] == 5.0  # the rejected row keeps its values too
    assert out.column("quality").to_pylist() == [None] * 4
    assert stage.counters["failed_gopher_too_few_words"] == 1


def test_other_languages_use_the_default_rules_and_thresholds_are_config():
    text = "Le traitement des données est une étape essentielle. " * 12
    # no stop-word check and no C4 rules for French by default; the repetition is caught
    assert _failed(text, "fr") == [f"gopher_top_{n}gram" for n in (2, 3, 4)] + [
        f"gopher_duplicate_{n}grams" for n in range(5, 11)
    ]
    assert _failed("Buy cheap shoes online today.", "en", gopher={"*": {"min_words": 3}}) == [
        "c4_too_few_sentences",
        "fineweb_short_lines",
    ]

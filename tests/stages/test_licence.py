import json

import pyarrow as pa
import pymupdf
import pytest

from datamill.pipeline.schema import WORKING_SCHEMA, conform
from datamill.stages.licence import Licence, LicenceConfig, LicenceOrderError

CC_BY_SA_PAGE = """<html><head><title>Open notes</title></head><body>
<article><h1>Open notes</h1><p>Some article text about data pipelines and curation.</p></article>
<footer><a rel="license" href="https://creativecommons.org/licenses/by-sa/4.0/">
<img alt="Creative Commons License" src="https://i.creativecommons.org/l/by-sa/4.0/88x31.png"></a>
This work is licensed under a Creative Commons Attribution-ShareAlike 4.0 International License.</footer>
</body></html>"""

ZH_RESERVED = """<html><head><meta charset="gbk"><title>新闻</title></head><body>
<article><p>今天我们讨论大语言模型的训练数据如何清洗。</p></article>
<footer><p><a href="/about">关于我们</a> | <a href="/jobs">招聘信息</a></p>
<p class="copyright">版权所有 © 2024 某某科技有限公司 未经许可不得转载</p><p>ICP备案号：示例-00000000号</p>
</footer></body></html>"""

IMAGE_CREDIT_TRAP = """<html><body><article><p>Our reporters visited the new data centre.</p>
<figure><img src="dc.jpg"><figcaption>Photo: Jane Doe /
<a href="https://creativecommons.org/licenses/by/2.0/">CC BY 2.0</a></figcaption></figure>
<p>Photo by John Roe, licensed under Creative Commons Attribution 2.0.</p>
<p>It uses 30 MW of power.</p></article>
<footer>© 2023 Example News. All rights reserved.</footer></body></html>"""

TOS_AND_SCRIPT_TRAP = """<html><head><link rel="license" href="/terms-of-service">
<script>/*! jQuery | (c) OpenJS Foundation | Released under the MIT license
 https://opensource.org/licenses/MIT */ var x = 1;</script></head>
<body><p>A page about gardening with no licence statement at all.</p></body></html>"""

JSON_LD = """<html><head><script type="application/ld+json">{"@context": "https://schema.org",
"@graph": [{"@type": "ImageObject", "license": "https://creativecommons.org/licenses/by-nc/4.0/"},
{"@type": "Article", "license": "https://creativecommons.org/publicdomain/zero/1.0/"}]}</script>
<meta name="robots" content="index, follow"></head><body><p>Article.</p></body></html>"""


def _batch(rows):
    cols = {k: [r.get(k) for r in rows] for k in ("content_type", "raw", "http_headers", "text")}
    cols["id"] = [str(i) for i in range(len(rows))]
    cols["http_headers"] = [json.dumps(h) if h is not None else None for h in cols["http_headers"]]
    table = pa.table({**cols, "raw": pa.array(cols["raw"], pa.large_binary())})
    return conform(table, WORKING_SCHEMA)


def _html(page, headers=None, encoding="utf-8"):
    return {
        "content_type": "text/html",
        "raw": page.encode(encoding),
        "http_headers": headers or {},
        "text": "",
    }


def _run(rows, **config):
    out = Licence(LicenceConfig(**config))(_batch(rows))
    return [
        {
            "license": out.column("license")[i].as_py(),
            "evidence": out.column("license_evidence")[i].as_py() or "",
            "opt_out": out.column("tdm_opt_out")[i].as_py(),
            "reason": out.column("drop_reason")[i].as_py(),
        }
        for i in range(out.num_rows)
    ]


def test_cc_by_sa_page_with_evidence():
    [row] = _run([_html(CC_BY_SA_PAGE)])
    assert row["license"] == "CC-BY-SA-4.0"
    assert row["evidence"].startswith(
        "CC-BY-SA-4.0 <- rel=license <a>: https://creativecommons.org/licenses/by-sa/4.0/"
    )
    assert "CC-BY-SA-4.0 <- text: Creative Commons Attribution-ShareAlike 4.0" in row["evidence"]
    assert row["reason"] is None and row["opt_out"] is False


def test_chinese_rights_reserved_gbk_page_is_proprietary():
    [row] = _run([_html(ZH_RESERVED, {"content-type": "text/html; charset=gbk"}, "gb18030")])
    assert row["license"] == "proprietary"
    assert "text (zh_copyright_reserved): 版权所有" in row["evidence"]
    assert row["reason"] == "licence:proprietary"


def test_tdm_reservation_header_and_noai_meta_are_opt_outs():
    noai = "<html><head><meta name='robots' content='noai, noimageai'></head><body><p>x</p></body></html>"
    rows = _run([_html(CC_BY_SA_PAGE, {"tdm-reservation": "1"}), _html(noai), _html(CC_BY_SA_PAGE)])
    assert [r["opt_out"] for r in rows] == [True, True, False]
    assert [r["reason"] for r in rows] == ["licence:tdm_opt_out", "licence:tdm_opt_out", None]
    assert "tdm opt-out <- header tdm-reservation: 1" in rows[0]["evidence"]
    kept = _run([_html(CC_BY_SA_PAGE, {"x-robots-tag": "noai"})], tdm_opt_out="keep")[0]
    assert kept["opt_out"] is True and kept["reason"] is None


def test_image_credit_is_not_the_page_licence():
    [row] = _run([_html(IMAGE_CREDIT_TRAP)])
    assert row["license"] == "proprietary"
    assert row["evidence"].startswith("proprietary <- text (all_rights_reserved)")
    assert "ignored CC-BY-2.0 link in a media credit" in row["evidence"]
    # the line under the figure starts like a credit: dropped as one, its licence noted
    assert "ignored CC-BY-2.0 in a media credit <p>: Creative Commons Attribution 2.0" in row["evidence"]


def test_rel_license_to_terms_and_mit_in_script_are_ignored():
    [row] = _run([_html(TOS_AND_SCRIPT_TRAP)], unknown="reject")
    assert row["license"] == "unknown"
    assert row["reason"] == "licence:unknown"
    assert "ignored rel=license to a non-licence: /terms-of-service" in row["evidence"]
    assert "MIT" not in row["evidence"]


def test_json_ld_article_licence_beats_image_licence():
    [row] = _run([_html(JSON_LD)])
    assert row["license"] == "CC0-1.0"
    assert row["evidence"].startswith("CC0-1.0 <- json-ld license")
    assert "ignored CC-BY-NC-4.0 of a JSON-LD ImageObject" in row["evidence"]


def test_chinese_cc_sentence_and_allow_list():
    page = "<html><body><p>本文采用知识共享署名-非商业性使用 4.0 国际许可协议进行许可。</p></body></html>"
    [row] = _run([_html(page)])
    assert row["license"] == "CC-BY-NC-4.0"
    assert row["reason"] == "licence:not_allowed:CC-BY-NC-4.0"
    assert _run([_html(page)], allow=["CC-BY-NC-*"])[0]["reason"] is None


def test_plain_text_statements():
    rows = _run(
        [
            {"content_type": "text/plain", "text": "本文来自微信公众号：数据笔记（ID：shuju），作者：张三。"},
            {"content_type": "text/plain", "text": "原创文章，转载请注明出处。"},
            {"content_type": "text/plain", "text": "A plain text file with no rights statement."},
        ],
        proprietary="keep",
    )
    assert [r["license"] for r in rows] == ["proprietary", "proprietary", "unknown"]
    assert "zh_wechat_article" in rows[0]["evidence"]
    assert "zh_reprint_with_credit" in rows[1]["evidence"]
    assert [r["reason"] for r in rows] == [None, None, None]


def _pdf(rights: str | None = None, xmp_licence: str | None = None) -> bytes:
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "A report on data curation.")
    if rights:
        doc.set_metadata({"title": "Report"})
        info = int(doc.xref_get_key(-1, "Info")[1].split()[0])
        doc.xref_set_key(info, "Rights", pymupdf.get_pdf_str(rights))
    if xmp_licence:
        doc.set_xml_metadata(
            '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            '<rdf:Description xmlns:xmpRights="http://ns.adobe.com/xap/1.0/rights/" '
            f'xmpRights:WebStatement="{xmp_licence}"/></rdf:RDF></x:xmpmeta>'
        )
    data = doc.tobytes()
    doc.close()
    return data


def test_pdf_rights_and_xmp():
    rows = _run(
        [
            {
                "content_type": "application/pdf",
                "raw": _pdf(xmp_licence="https://creativecommons.org/licenses/by/4.0/"),
            },
            {"content_type": "application/pdf", "raw": _pdf(rights="版权所有 © 2022 某出版社")},
            {"content_type": "application/pdf", "raw": _pdf()},
        ]
    )
    assert [r["license"] for r in rows] == ["CC-BY-4.0", "proprietary", "unknown"]
    assert rows[0]["evidence"].startswith("CC-BY-4.0 <- pdf xmp")
    assert rows[1]["evidence"].startswith("proprietary <- pdf /Rights")


def test_html_without_raw_bytes_is_an_ordering_error():
    with pytest.raises(LicenceOrderError, match="before any global stage"):
        Licence()(_batch([{"content_type": "text/html", "text": "x"}]))


def test_opt_outs_the_crawler_recorded_are_honoured():
    headers = {"x-datamill-opt-out": "robots.txt=GPTBot,CCBot; tdmrep.json=1"}
    [row] = _run([_html(CC_BY_SA_PAGE, headers)])
    assert row["opt_out"] is True and row["reason"] == "licence:tdm_opt_out"
    assert "crawl x-datamill-opt-out: robots.txt=GPTBot,CCBot; tdmrep.json=1" in row["evidence"]


def test_page_classes_with_image_words_do_not_hide_the_licence():
    page = """<html><body class="mediawiki single-format-image"><div class="media"><img src="a.png">
    <div class="media-body"><p>Posts here are licensed under
    <a href="https://creativecommons.org/licenses/by-sa/4.0/">CC BY-SA 4.0</a>.</p></div></div>
    <figure><img src="b.jpg"><figcaption>Photo: Ann, CC BY 2.0</figcaption></figure></body></html>"""
    [row] = _run([_html(page)])
    assert row["license"] == "CC-BY-SA-4.0"
    assert row["evidence"].startswith(
        "CC-BY-SA-4.0 <- licence link: https://creativecommons.org/licenses/by-sa/4.0/"
    )
    assert "ignored CC-BY-2.0 in a media credit <figure>: CC BY 2.0" in row["evidence"]


def test_licences_named_in_prose_or_quoted_in_code_are_not_granted():
    page = """<html><body><p>Licences such as <a href="https://creativecommons.org/licenses/by/4.0/">CC BY
    4.0</a> let authors share their work.</p><pre><code>MIT License
    Copyright (c) 2024 Jane Doe</code></pre></body></html>"""
    [row] = _run([_html(page)])
    assert row["license"] == "unknown"
    sentence = "Licences such as CC BY 4.0 let authors share their work."
    assert row["evidence"] == (
        f"ignored CC-BY-4.0 link named in running text: {sentence}"
        " | ignored proprietary in a code block: (c) 2024"
        f" | ignored CC-BY-4.0 named, not granted: {sentence}"
    )


def test_japanese_korean_and_traditional_chinese_statements():
    texts = [
        "当サイトの記事の無断転載・複製を禁止します。",
        "ⓒ 예시일보, 무단 전재 및 재배포 금지",
        "版權所有，未經授權不得轉載。",
        "本記事は クリエイティブ・コモンズ 表示 - 非営利 - 継承 4.0 国際 ライセンスで提供されています。",
        "이 글은 크리에이티브 커먼즈 저작자표시-변경금지 4.0 국제 라이선스에 따라 배포됩니다.",
    ]
    rows = _run([{"content_type": "text/plain", "text": t} for t in texts], proprietary="keep")
    assert [r["license"] for r in rows] == [
        "proprietary",
        "proprietary",
        "proprietary",
        "CC-BY-NC-SA-4.0",
        "CC-BY-ND-4.0",
    ]
    assert [r["evidence"].split(":")[0] for r in rows] == [
        "proprietary <- text (ja_no_reprint)",
        "proprietary <- text (ko_no_reprint)",
        "proprietary <- text (zh_copyright_reserved)",
        "CC-BY-NC-SA-4.0 <- text",
        "CC-BY-ND-4.0 <- text",
    ]


def test_rights_reserved_in_ten_languages_names_the_statement():
    texts = {
        "all_rights_reserved": "© 2024 Harbour Media Ltd. All rights reserved.",
        "de_rights_reserved": "© 2024 Hafen Verlag GmbH. Alle Rechte vorbehalten.",
        "de_no_reprint": "Nachdruck nur mit Genehmigung des Verlags.",
        "fr_rights_reserved": "Tous droits réservés.",
        "fr_no_reproduction": "Reproduction interdite sans autorisation écrite.",
        "es_rights_reserved": "Todos los derechos reservados.",
        "es_no_reproduction": "Prohibida su reproducción total o parcial.",
        "it_rights_reserved": "Riproduzione riservata",
        "pt_rights_reserved": "Todos os direitos reservados.",
        "pt_no_reproduction": "É proibida a reprodução total ou parcial deste conteúdo.",
        "ru_rights_reserved": "Все права защищены.",
        "ru_no_reprint": "Полное или частичное копирование материалов запрещено.",
        "ja_no_reprint": "無断転載を禁じます。",
        "ko_no_reprint": "저작권자 © 항구일보 무단 전재 및 재배포 금지",
        "zh_copyright_reserved": "版权所有 港口传媒",
    }
    rows = _run([{"content_type": "text/plain", "text": t} for t in texts.values()], proprietary="keep")
    assert [r["evidence"].split(":")[0] for r in rows] == [f"proprietary <- text ({rule})" for rule in texts]
    weaker = "© 2024 Hafen Verlag. Alle Rechte vorbehalten. Die Texte stehen unter der Lizenz CC BY-SA 4.0."
    [row] = _run([{"content_type": "text/plain", "text": weaker}])
    assert row["license"] == "CC-BY-SA-4.0"
    assert "proprietary <- text (de_rights_reserved): Alle Rechte vorbehalten" in row["evidence"]


def test_copyright_holder_notices_and_rel_copyright():
    cc = "https://creativecommons.org/licenses/by-sa/4.0/"
    pages = [
        "<html><head><meta name='copyright' content='Some Publisher GmbH'></head><body><p>Text.</p></body>",
        "<html><body><p>Text.</p><footer>© Agence du Port</footer></body></html>",
        f"<html><head><meta name='copyright' content='Jane Doe'><link rel='copyright' href='{cc}'></head>"
        "<body><p>Text.</p></body></html>",
        "<html><head><link rel='copyright' href='/copyright'></head><body><p>Copyright law is old.</p>",
        "<html><body><figure><img src='a.jpg'></figure><p>© dpa</p><p>Text.</p></body></html>",
    ]
    rows = _run([_html(p) for p in pages], proprietary="keep")
    assert [r["license"] for r in rows] == [
        "proprietary",
        "proprietary",
        "CC-BY-SA-4.0",
        "unknown",
        "unknown",
    ]
    assert rows[0]["evidence"] == "proprietary <- meta copyright (copyright holder): Some Publisher GmbH"
    assert rows[1]["evidence"] == "proprietary <- text (copyright notice): © Agence du Port"
    assert rows[2]["evidence"] == (
        f"CC-BY-SA-4.0 <- rel=copyright <link>: {cc}"
        " | proprietary <- meta copyright (copyright holder): Jane Doe"
    )
    assert rows[3]["evidence"] == "ignored rel=copyright to a non-licence: /copyright"
    assert rows[4]["evidence"] == ""


def test_credit_sentence_in_plain_text_is_not_the_licence():
    texts = [
        "Photo by John Roe, licensed under Creative Commons Attribution 2.0.",
        "Foto: Max Muster, lizenziert unter CC BY-SA 4.0.",
        "Die Inhalte dieser Website stehen unter der Lizenz CC BY-SA 4.0.",
    ]
    rows = _run([{"content_type": "text/plain", "text": t} for t in texts])
    assert [r["license"] for r in rows] == ["unknown", "unknown", "CC-BY-SA-4.0"]
    assert rows[1]["evidence"] == f"ignored CC-BY-SA-4.0 in a media credit sentence: {texts[1]}"

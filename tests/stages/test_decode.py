"""Charset handling: BOM, declared charsets, mislabelled pages, stray bytes, detection."""

from __future__ import annotations

import codecs

import pytest

from datamill.stages.ingest.decode import UndecodableError, declared_in_html, decode, header_charset

ZH = "很多中文网页使用 GBK 编码，需要正确处理字符集。质量过滤器会根据规则和分类器给文档打分。"
FR = "Café crème, façade élégante et déjà-vu: à bientôt !"


def test_header_charset_and_in_page_declarations():
    assert header_charset("text/html; charset=GBK") == "GBK"
    assert header_charset('text/html; charset="utf-8"') == "utf-8"
    assert header_charset("text/html") is None
    assert (
        declared_in_html(b'<meta http-equiv="Content-Type" content="text/html; charset=gb2312">') == "gb2312"
    )
    assert declared_in_html(b'<?xml version="1.0" encoding="Big5"?><html>') == "Big5"


def test_declared_gbk_header_and_meta():
    raw = f"<p>{ZH}</p>".encode("gbk")
    assert decode(raw, declared="gbk") == (f"<p>{ZH}</p>", "gb18030")
    page = f'<meta charset="gb2312"><p>{ZH}</p>'
    assert decode(page.encode("gb18030"), html=True) == (page, "gb18030")


def test_utf8_bytes_mislabelled_as_legacy_are_read_as_utf8():
    raw = f"<p>{ZH} {FR}</p>".encode()
    assert decode(raw, declared="iso-8859-1") == (f"<p>{ZH} {FR}</p>", "utf-8")
    assert decode(b'<meta charset="gbk">' + raw, html=True)[1] == "utf-8"


def test_latin1_label_means_windows_1252():
    raw = "“Quoted” – café".encode("cp1252")
    assert decode(raw, declared="ISO-8859-1") == ("“Quoted” – café", "cp1252")


def test_bom_wins_over_declarations():
    text = "<p>" + ZH + "</p>"
    assert decode(codecs.BOM_UTF8 + text.encode(), declared="gbk") == (text, "utf-8-sig")
    assert decode(codecs.BOM_UTF16_LE + text.encode("utf-16-le"), declared="utf-8")[0] == text


def test_a_few_stray_bytes_keep_the_declared_charset():
    raw = (ZH * 40).encode("gbk") + b"\xff" + (ZH * 40).encode("gbk")
    text, codec = decode(raw, declared="gbk")
    assert codec == "gb18030" and text.count("\ufffd") == 1 and text.startswith(ZH)


def test_undeclared_legacy_page_is_detected():
    raw = ("<html><body><p>" + ZH * 5 + "</p></body></html>").encode("gb18030")
    text, codec = decode(raw, html=True)
    assert ZH in text and codec == "gb18030"


def test_binary_garbage_is_undecodable():
    with pytest.raises(UndecodableError):
        decode(bytes(range(256)) * 50, declared="utf-8")

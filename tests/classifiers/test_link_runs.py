"""Runs of whole-link lines (menus, link lists) are dropped from extracted text; a single
link line, or a link inside a sentence, stays."""

from __future__ import annotations

from datamill.classifiers.link_runs import drop_link_runs

NAV = "<ul><li><a href='/'>首页</a></li><li><a href='/n'>新闻</a></li><li><a href='/t'>科技</a></li></ul>"
BODY = (
    "<div>正文第一段。<br><a href='/r.pdf'>下载报告全文</a><br>正文第二段，见 <a href='/x'>附录</a>。</div>"
)
SIDE = "<div><a href='/1'>相关文章一</a><a href='/2'>相关文章二</a> <a href='/3'>相关文章三</a></div>"
HTML = NAV + BODY + SIDE


def test_runs_of_link_lines_go_and_single_links_stay():
    text = "\n".join(["首页", "新闻", "科技", "正文第一段。", "下载报告全文", "正文第二段，见 附录。"])
    text += "\n相关文章一\n相关文章二\n相关文章三"
    assert drop_link_runs(text, HTML) == ("正文第一段。\n下载报告全文\n正文第二段，见 附录。", 6)


def test_two_link_lines_are_not_a_run_and_pages_without_links_are_untouched():
    assert drop_link_runs("首页\n新闻\n正文。", HTML) == ("首页\n新闻\n正文。", 0)
    assert drop_link_runs("a\nb\nc", "<p>no links</p>") == ("a\nb\nc", 0)
    assert drop_link_runs("首页\n新闻\n科技", HTML, min_run=4) == ("首页\n新闻\n科技", 0)

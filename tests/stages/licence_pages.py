"""The licence set: 60 page skeletons, each labelled BY HAND with the licence a careful human
reader would say the page's own content is under (an SPDX id, `proprietary` for rights
reserved or a bare copyright notice, `unknown` when the page states nothing about itself).

The labels were written next to the pages, never computed by the detector. The pages are
written for this file (no third-party text); their chrome copies the shapes of real sites:
WordPress and MediaWiki body classes, Bootstrap `media` boxes, Hexo footers, news credits,
Q&A sites, journal pages. Used by tests/stages/test_licence_set.py and bench/bench_licence.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

EN = (
    "<p>We rebuilt the crawler this spring and measured how much text each page gives back.</p>"
    "<p>Most pages lose their menus and footers cleanly; a few keep a cookie banner.</p>"
)
ZH = (
    "<p>这个春天我们重写了爬虫，并测量了每个网页能抽取出多少正文。</p>"
    "<p>大多数网页的导航和页脚都能干净地去掉。</p>"
)
ZH_TW = (
    "<p>今年春天我們重寫了爬蟲，並測量每個網頁能取出多少正文。</p><p>多數網頁的選單與頁尾都能乾淨移除。</p>"
)
JA = (
    "<p>この春、クローラーを作り直し、各ページから取り出せる本文の量を測りました。</p>"
    "<p>多くのページではメニューとフッターがきれいに消えます。</p>"
)
KO = (
    "<p>올봄 우리는 크롤러를 다시 만들고 각 페이지에서 얻는 본문의 양을 측정했습니다.</p>"
    "<p>대부분의 페이지에서 메뉴와 바닥글이 깔끔하게 사라집니다.</p>"
)
TEXT = {"en": EN, "zh": ZH, "zh-TW": ZH_TW, "ja": JA, "ko": KO}
NAV = (
    "<header class='site-header'><nav><a href='/'>Home</a> <a href='/blog'>Blog</a>"
    " <a href='/about'>About</a></nav></header>"
)
SOCIAL = "<div class='social-media'><a href='https://x.example/me'><img src='/x.svg' alt='X'></a></div>"

CC = "https://creativecommons.org/licenses"
CC0 = "https://creativecommons.org/publicdomain/zero/1.0/"


@dataclass(frozen=True)
class Page:
    name: str
    label: str  # written by hand: what the page's own content is licensed under
    html: str
    headers: dict[str, str] = field(default_factory=dict)


def page(
    article: str = "",
    footer: str = "",
    *,
    lang: str = "en",
    head: str = "",
    body_class: str = "",
    aside: str = "",
) -> str:
    """A page skeleton: header, navigation, the article (generic text first), aside, footer."""
    return (
        f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>Page</title>{head}</head>"
        f"<body class='{body_class}'>{NAV}<main id='content'><article><h1>Crawl notes</h1>"
        f"{TEXT[lang]}{article}</article>{aside}</main><footer class='site-footer'>{footer}</footer></body>"
        "</html>"
    )


def figure(caption: str, tag: str = "figure") -> str:
    image = "<img src='/photo.jpg' alt=''>"
    return f"<{tag} class='wp-block-image'>{image}<figcaption>{caption}</figcaption></{tag}>"


def json_ld(data: str) -> str:
    return f"<script type='application/ld+json'>{data}</script>"


PAGES: list[Page] = [
    # ---- CC-BY-4.0 ------------------------------------------------------------------------
    Page(
        "wp_image_format_footer_badge",
        "CC-BY-4.0",
        page(
            figure("The rack room."),
            f"<a rel='license' href='{CC}/by/4.0/'><img"
            " src='https://i.creativecommons.org/l/by/4.0/88x31.png'></a>"
            f" This work is licensed under a <a rel='license' href='{CC}/by/4.0/'>Creative Commons"
            " Attribution 4.0 International License</a>.",
            body_class="post-template-default single single-post single-format-image has-post-thumbnail",
        ),
    ),
    Page(
        "bootstrap_media_author_box",
        "CC-BY-4.0",
        page(
            "<div class='media author-box'><img class='mr-3 avatar' src='/jane.png'><div class='media-body'>"
            f"<p>Jane Doe writes about data. Her posts are licensed under <a href='{CC}/by/4.0/'>CC BY 4.0"
            "</a>.</p></div></div>",
            "<p>Made with Bootstrap.</p>" + SOCIAL,
        ),
    ),
    Page(
        "json_ld_article_and_image",
        "CC-BY-4.0",
        page(
            figure("Our cluster."),
            head=json_ld(
                '{"@context": "https://schema.org", "@graph": [{"@type": "ImageObject", "license": '
                f'"{CC}/by-nc/4.0/"}}, {{"@type": "BlogPosting", "license": "{CC}/by/4.0/"}}]}}'
            ),
        ),
    ),
    Page(
        "journal_dc_rights_open_access",
        "CC-BY-4.0",
        page(
            "<section class='article-info'><p>© 2023 The Authors. This is an open access article distributed"
            " under the terms of the Creative Commons Attribution License, which permits unrestricted use,"
            " provided the original work is properly cited.</p></section>",
            "<p>© 2024 Example Journals Ltd.</p>",
            head=f"<meta name='dc.rights' content='{CC}/by/4.0/'>",
        ),
    ),
    Page(
        "zh_blog_cc_by_sentence_and_link",
        "CC-BY-4.0",
        page(
            f"<p class='post-copyright'>本作品采用<a href='{CC}/by/4.0/'>知识共享署名 4.0 国际许可协议"
            "</a>进行许可。</p>",
            "<p>© 2024 小李的博客</p>",
            lang="zh",
            aside="<div class='sidebar'><div class='pic-wall'><img src='/a.jpg'></div></div>",
        ),
    ),
    Page(
        "ja_text_only_cc_by",
        "CC-BY-4.0",
        page(
            "<p>このページの文章は クリエイティブ・コモンズ 表示 4.0 国際"
            " ライセンスの下に提供されています。</p>",
            "<p>Copyright © 2024 山田</p>",
            lang="ja",
        ),
    ),
    Page(
        "head_link_rel_license_only",
        "CC-BY-4.0",
        page(head=f"<link rel='license' href='{CC}/by/4.0/'>", body_class="topic-page"),
    ),
    Page(
        "ko_footer_cc_by",
        "CC-BY-4.0",
        page(
            footer=f"<div id='media-footer'><p>이 저작물은 <a href='{CC}/by/4.0/deed.ko'>크리에이티브"
            " 커먼즈 저작자표시 4.0"
            " 국제 라이선스</a>에 따라 이용할 수 있습니다.</p><p>Copyright © 2024 김민수</p></div>",
            lang="ko",
        ),
    ),
    Page(
        "http_link_header",
        "CC-BY-4.0",
        page(),
        {"link": f'<{CC}/by/4.0/>; rel="license"'},
    ),
    # ---- CC-BY-SA-4.0 ---------------------------------------------------------------------
    Page(
        "mediawiki_footer",
        "CC-BY-SA-4.0",
        page(
            figure("A server hall, 2019. Photo: Bob, CC BY 2.0"),
            "<ul id='footer-info'><li id='footer-info-copyright'>Text is available under the"
            f" <a rel='license' href='{CC}/by-sa/4.0/'>Creative Commons Attribution-ShareAlike 4.0 License"
            "</a>; additional terms may apply.</li></ul>",
            body_class="mediawiki ltr sitedir-ltr mw-hide-empty-elt ns-0 page-Crawl_notes",
        ),
    ),
    Page(
        "qa_site_logo_clause",
        "CC-BY-SA-4.0",
        page(
            "<div class='post-signature'><img src='/u/42.png' class='user-gravatar'> asked by Ann</div>",
            "<p class='copyright'>Site design / logo © 2024 Example Q&amp;A Inc; user contributions licensed"
            " under <a href='/help/licensing'>CC BY-SA</a>.</p>",
        ),
    ),
    Page(
        "zh_hexo_next_post_copyright",
        "CC-BY-SA-4.0",
        page(
            "<ul class='post-copyright'><li><strong>本文作者：</strong>小王</li><li><strong>版权声明："
            "</strong>"
            f"本博客所有文章除特别声明外，均采用 <a href='{CC}/by-sa/4.0/'>CC BY-SA 4.0</a> 许可协议。"
            "转载请注明出处！</li></ul>",
            "<div class='site-author'><img class='site-author-image' src='/avatar.png'></div>",
            lang="zh",
        ),
    ),
    Page("meta_license_words", "CC-BY-SA-4.0", page(head="<meta name='license' content='CC BY-SA 4.0'>")),
    Page(
        "zh_tw_text_only",
        "CC-BY-SA-4.0",
        page("<p>本著作係採用創用 CC 姓名標示-相同方式分享 4.0 國際 授權條款授權。</p>", lang="zh-TW"),
    ),
    Page(
        "photos_and_text_of_this_blog",
        "CC-BY-SA-4.0",
        page(
            figure("Sunrise over the data centre."),
            "<p>All photos and text on this blog are licensed under CC BY-SA 4.0.</p>",
            body_class="blog single-format-gallery",
        ),
    ),
    Page(
        "ko_text_only_by_sa",
        "CC-BY-SA-4.0",
        page(
            "<p>이 글은 크리에이티브 커먼즈 저작자표시-동일조건변경허락 4.0 국제 라이선스에 따라"
            " 배포됩니다.</p>",
            lang="ko",
        ),
    ),
    # ---- CC-BY-NC-SA-4.0 ------------------------------------------------------------------
    Page(
        "zh_site_nc_sa_link",
        "CC-BY-NC-SA-4.0",
        page(
            footer=f"<p>本站文章采用<a href='{CC}/by-nc-sa/4.0/'>知识共享署名-非商业性使用-相同方式共享"
            " 4.0 国际许可协议</a>。</p>",
            lang="zh",
        ),
    ),
    Page(
        "zh_hexo_butterfly",
        "CC-BY-NC-SA-4.0",
        page(
            "<div class='post-copyright'><div class='post-copyright__type'>版权声明:"
            " 本博客所有文章除特别声明外，均采用"
            f" <a href='{CC}/by-nc-sa/4.0/'>CC BY-NC-SA 4.0</a> 许可协议。转载请注明来自 某某博客！</div>"
            "</div>"
            "<div class='post-reward'><img class='post-qr-code-img' src='/wechat.png'><div>微信打赏</div>"
            "</div>",
            lang="zh",
            body_class="page-cover-image",
        ),
    ),
    Page(
        "ja_nc_sa_text",
        "CC-BY-NC-SA-4.0",
        page(
            "<p>本記事は クリエイティブ・コモンズ 表示 - 非営利 - 継承 4.0 国際"
            " ライセンスで提供されています。</p>",
            lang="ja",
        ),
    ),
    Page(
        "footer_credits_badge_header_image_theme",
        "CC-BY-NC-SA-4.0",
        page(
            footer="<div class='footer-credits'><p>Licensed under"
            f" <a href='{CC}/by-nc-sa/4.0/'><img src='https://licensebuttons.net/l/by-nc-sa/4.0/80x15.png'>"
            " CC BY-NC-SA 4.0</a></p></div>",
            body_class="has-header-image",
        ),
    ),
    Page(
        "zh_meta_copyright_statement",
        "CC-BY-NC-SA-4.0",
        page(head="<meta name='copyright' content='本文采用 CC BY-NC-SA 4.0 协议'>", lang="zh"),
    ),
    Page(
        "course_notes_with_video",
        "CC-BY-NC-SA-4.0",
        page(
            "<div class='course-media'><iframe src='https://video.example/embed/1'></iframe></div>"
            "<p>This course material is licensed under a Creative Commons"
            " Attribution-NonCommercial-ShareAlike 4.0 International License.</p>",
        ),
    ),
    # ---- CC-BY-NC-ND-4.0 ------------------------------------------------------------------
    Page(
        "academic_blog_rel_license",
        "CC-BY-NC-ND-4.0",
        page(footer=f"<a rel='license' href='{CC}/by-nc-nd/4.0/'>CC BY-NC-ND 4.0</a>" + SOCIAL),
    ),
    Page(
        "zh_nc_nd_and_reprint_note",
        "CC-BY-NC-ND-4.0",
        page(
            "<p>本文采用 署名-非商业性使用-禁止演绎 4.0 国际 (CC BY-NC-ND 4.0) 许可协议，转载请注明出处。"
            "</p>",
            lang="zh",
        ),
    ),
    Page(
        "ko_nc_nd_link",
        "CC-BY-NC-ND-4.0",
        page(
            footer=f"<p><a rel='license' href='{CC}/by-nc-nd/4.0/'>크리에이티브 커먼즈"
            " 저작자표시-비영리-변경금지 4.0</a></p>",
            lang="ko",
        ),
    ),
    # ---- CC0-1.0 --------------------------------------------------------------------------
    Page(
        "cc0_waiver",
        "CC0-1.0",
        page(
            footer=f"<p><a rel='license' href='{CC0}'><img"
            " src='https://licensebuttons.net/p/zero/1.0/88x31.png'></a>"
            " To the extent possible under law, the author has waived all copyright and related rights to"
            " this work.</p>",
        ),
    ),
    Page(
        "json_ld_license_object",
        "CC0-1.0",
        page(
            head=json_ld(
                '{"@context": "https://schema.org", "@type": "Dataset", "name": "Crawl stats",'
                f' "license": {{"@type": "CreativeWork", "url": "{CC0}"}}}}'
            )
        ),
    ),
    Page("zh_cc0_sentence", "CC0-1.0", page("<p>本文以 CC0 协议发布，作者放弃所有版权。</p>", lang="zh")),
    Page(
        "data_portal_cc0_with_photo_credit",
        "CC0-1.0",
        page(
            figure(f"Photo: Ann / <a href='{CC}/by/2.0/'>CC BY 2.0</a>"),
            f"<p>Data and text: <a rel='license' href='{CC0}'>CC0 1.0</a></p>",
        ),
    ),
    # ---- MIT, Apache-2.0 -----------------------------------------------------------------
    Page(
        "docs_footer_mit",
        "MIT",
        page(
            footer="<p>Released under the <a href='https://opensource.org/licenses/MIT'>MIT License</a>.</p>"
            "<p>Copyright © 2019-present Example Docs Team</p>",
        ),
    ),
    Page(
        "docs_footer_apache",
        "Apache-2.0",
        page(
            footer="<p>Licensed under the <a href='https://www.apache.org/licenses/LICENSE-2.0'>Apache"
            " License, Version 2.0</a>.</p>",
        ),
    ),
    Page("meta_license_spdx_apache", "Apache-2.0", page(head="<meta name='license' content='Apache-2.0'>")),
    Page(
        "zh_docs_mit",
        "MIT",
        page(
            footer="<p>本文档基于 <a href='https://opensource.org/licenses/MIT'>MIT 许可</a>发布 |"
            " 版权所有 © 2020-至今 示例团队</p>",
            lang="zh",
        ),
    ),
    # ---- proprietary ----------------------------------------------------------------------
    Page(
        "news_photo_cc_all_rights",
        "proprietary",
        page(
            figure(f"Photo: Jane Doe / <a href='{CC}/by/2.0/'>CC BY 2.0</a>"),
            "<p>© 2024 Example News. All rights reserved.</p>",
        ),
    ),
    Page(
        "news_photo_credit_div",
        "proprietary",
        page(
            "<div class='photo-credit'>Photo: <a href='https://photos.example/ann'>Ann</a> / <a"
            f" href='{CC}/by-sa/2.0/'>CC BY-SA 2.0</a></div>",
            "<p>Copyright © 2024 Daily Example. All rights reserved.</p>",
        ),
    ),
    Page(
        "zh_news_reserved",
        "proprietary",
        page(
            "<p class='img-source'>图片来源：视觉中国</p>",
            "<p>版权所有 © 2024 某某网 未经书面许可，不得转载</p>",
            lang="zh",
        ),
    ),
    Page(
        "zh_wechat_repost",
        "proprietary",
        page("<p>本文来自微信公众号：数据笔记（ID：shuju），作者：张三。</p>", lang="zh"),
    ),
    Page("zh_tw_reserved", "proprietary", page(footer="<p>版權所有，未經授權不得轉載。</p>", lang="zh-TW")),
    Page(
        "ja_news_all_rights",
        "proprietary",
        page(footer="<p>Copyright © 2024 例新聞社 All Rights Reserved. 無断転載を禁じます。</p>", lang="ja"),
    ),
    Page(
        "ja_no_reprint_only",
        "proprietary",
        page(footer="<p>当サイトの記事の無断転載・複製を禁止します。</p>", lang="ja"),
    ),
    Page(
        "ko_no_reprint", "proprietary", page(footer="<p>ⓒ 예시일보, 무단 전재 및 재배포 금지</p>", lang="ko")
    ),
    Page(
        "ko_copyright_holder",
        "proprietary",
        page(footer="<p>저작권자 © 2024 예시뉴스. 무단전재-재배포, AI 학습 및 활용 금지</p>", lang="ko"),
    ),
    Page("bare_notice", "proprietary", page(footer="<p>© 2023 Jane Doe</p>" + SOCIAL)),
    Page(
        "credit_span_badge",
        "proprietary",
        page(
            f"<span class='credit'>Image: <a href='{CC}/by/2.0/'><img"
            " src='https://i.creativecommons.org/l/by/2.0/80x15.png'></a></span>",
            "<p>Copyright 2022 Example Corp.</p>",
        ),
    ),
    Page(
        "header_image_sentence",
        "proprietary",
        page(
            "<p>Header image by Alice via Wikimedia Commons, licensed under CC BY-SA 4.0.</p>",
            "<p>All rights reserved.</p>",
        ),
    ),
    Page(
        "zh_title_image_cc0",
        "proprietary",
        page("<p>题图来自 Unsplash，基于 CC0 协议。</p>", "<p>版权所有 © 2024 某科技媒体</p>", lang="zh"),
    ),
    Page(
        "no_reproduction",
        "proprietary",
        page("<p>This article may not be reproduced without permission.</p>"),
    ),
    Page(
        "meta_copyright_notice",
        "proprietary",
        page(head="<meta name='copyright' content='Copyright 2024 Example Ltd.'>"),
    ),
    Page(
        "zh_reprint_and_video_credit",
        "proprietary",
        page("<p>视频：某某 / CC BY 3.0</p><p>原创文章，转载请注明出处。</p>", lang="zh"),
    ),
    # ---- unknown --------------------------------------------------------------------------
    Page(
        "tos_rel_license_and_script_mit",
        "unknown",
        page(
            head="<link rel='license' href='/terms-of-service'><script>/*! lib | (c) Someone | Released"
            " under the MIT license https://opensource.org/licenses/MIT */ var x = 1;</script>",
        ),
    ),
    Page(
        "page_about_cc_licences",
        "unknown",
        page(
            "<p>Creative Commons licences such as <a href='https://creativecommons.org/licenses/by/4.0/'>CC"
            " BY 4.0</a>"
            " let authors share their work.</p><p>The CC BY-NC licence forbids commercial use.</p>",
        ),
    ),
    Page(
        "rel_license_inside_figure_only",
        "unknown",
        page(
            "<figure><img src='/a.jpg'><figcaption><a rel='license'"
            " href='https://creativecommons.org/licenses/by/2.0/'>CC BY 2.0</a></figcaption></figure>"
        ),
    ),
    Page(
        "json_ld_image_only",
        "unknown",
        page(
            head=json_ld(
                '{"@context": "https://schema.org", "@type": "ImageObject", "license": '
                '"https://creativecommons.org/licenses/by-sa/4.0/"}'
            )
        ),
    ),
    Page(
        "tutorial_mit_file_in_code_block",
        "unknown",
        page(
            "<p>Add a licence file to your repository:</p><pre><code>MIT License\n\nCopyright (c) 2024 Jane"
            " Doe\n\n"
            "Permission is hereby granted, free of charge, to any person obtaining a copy</code></pre>"
        ),
    ),
    Page("zh_image_source_only", "unknown", page("<p>图片来源：网络</p>", lang="zh")),
    Page(
        "my_photos_cc_link",
        "unknown",
        page(
            "<p>I put <a href='https://creativecommons.org/licenses/by/4.0/'>CC BY</a> on my photos from"
            " the trip.</p>"
        ),
    ),
    Page("ja_plain", "unknown", page(lang="ja")),
    Page("ko_plain", "unknown", page(lang="ko")),
    Page(
        "powered_by_footer",
        "unknown",
        page(footer="<p>Powered by WordPress | Theme by Example Themes</p>" + SOCIAL),
    ),
    Page(
        "zh_page_about_cc",
        "unknown",
        page(
            "<p>知识共享组织提供了六种许可协议，例如署名 4.0（CC BY 4.0）允许商业使用，而 CC BY-NC 4.0"
            " 不允许。</p>",
            lang="zh",
        ),
    ),
]

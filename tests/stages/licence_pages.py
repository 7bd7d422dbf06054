"""The licence set: page skeletons in ten languages, each labelled BY HAND with the licence a
careful human reader would say the page's own content is under (an SPDX id, `proprietary`
for rights reserved or a bare copyright notice, `unknown` when the page states nothing about
itself).

Labels are written next to the pages, never computed by the detector. The pages are written
for this file (no third-party text); their chrome copies the shapes of real sites (header with
a logo and navigation, an article with a teaser photo or a figure and its credit, a sidebar of
thumbnails, a footer with legal links), and the pages are grouped by the four kinds of miss
issue 18 measured on real pages, each with its mirror image:

- `credit_page`: the page's licence sits where image words surround it (body, wrapper or
  footer classes saying image/media/photo/pic, a logo beside it): it is the page's licence;
- `credit_only`: the only licence on the page is a photo or video credit (a caption, a short
  "Foto: ..." line or a plain block under a teaser photo): `unknown`;
- `credit_and_footer`: a credit and a page licence: the page's;
- `reserved`: rights reserved in en, zh, de, fr, es, it, pt, ja, ko, ru: `proprietary`;
- `reserved_licence`: rights reserved (for the design, a logo, "some rights reserved") beside
  an explicit licence: the licence;
- `notice`: a copyright holder and no grant (`<meta name=copyright>`, "© Agency"): `proprietary`;
- `notice_licence`: a holder beside a licence (the licence), or a © only inside a photo credit
  (`unknown`);
- `rel_copyright`: `rel="copyright"` to a licence deed (the licence) or to a site's own page
  (not a licence);
- `general`: pages of an earlier set (en, zh, ja, ko), kept as regressions: WordPress and
  MediaWiki body classes, Bootstrap `media` boxes, Hexo footers, JSON-LD, code blocks.

Used by tests/stages/test_licence_set.py and bench/bench_licence.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CC = "https://creativecommons.org/licenses"
CC0 = "https://creativecommons.org/publicdomain/zero/1.0/"


@dataclass(frozen=True)
class Page:
    name: str
    label: str  # written by hand: what the page's own content is licensed under
    html: str
    headers: dict[str, str] = field(default_factory=dict)
    case: str = "general"  # the kind of page (see the module docstring)
    lang: str = "en"


@dataclass(frozen=True)
class Chrome:
    site: str
    nav: list[str]
    title: str
    body: list[str]  # two paragraphs
    related: list[str]  # sidebar heading and two teaser titles
    legal: list[str]  # footer links

    @classmethod
    def parse(cls, text: str) -> Chrome:
        """Seven lines: site name, navigation, title, two paragraphs, related posts, legal links
        (lists separated by ` | `)."""
        site, nav, title, first, second, related, legal = text.strip().split("\n")
        return cls(site, nav.split(" | "), title, [first, second], related.split(" | "), legal.split(" | "))


_CHROME_TEXT = {
    "en": """
Harbour Notes
Home | News | Culture | About
The old ferry returns to the harbour
After two years of repairs, the old ferry made its first crossing on Saturday morning.
Volunteers from the town restored the engine and painted the hull in its original colours.
Related | A new pier for the fishing boats | Winter storms and the sea wall
About us | Privacy | Contact
""",
    "zh": """
港口札记
首页 | 新闻 | 文化 | 关于
老渡轮重回港口
经过两年的修缮，这艘老渡轮在周六早上完成了首次航行。
镇上的志愿者修好了发动机，并按原来的颜色重新粉刷了船身。
相关文章 | 渔船的新码头 | 冬季风暴与防波堤
关于我们 | 隐私政策 | 联系我们
""",
    "de": """
Hafennotizen
Startseite | Nachrichten | Kultur | Über uns
Die alte Fähre kehrt in den Hafen zurück
Nach zwei Jahren Reparatur hat die alte Fähre am Samstagmorgen ihre erste Überfahrt gemacht.
Freiwillige aus der Stadt haben den Motor repariert und den Rumpf in den alten Farben gestrichen.
Weitere Artikel | Ein neuer Steg für die Fischerboote | Winterstürme und die Kaimauer
Impressum | Datenschutz | Kontakt
""",
    "fr": """
Notes du port
Accueil | Actualités | Culture | À propos
Le vieux ferry revient au port
Après deux ans de réparations, le vieux ferry a effectué sa première traversée samedi matin.
Des bénévoles de la ville ont remis le moteur en état et repeint la coque dans ses couleurs d'origine.
À lire aussi | Un nouveau ponton pour les bateaux de pêche | Les tempêtes d'hiver et la digue
Mentions légales | Confidentialité | Contact
""",
    "es": """
Notas del puerto
Inicio | Noticias | Cultura | Quiénes somos
El viejo transbordador vuelve al puerto
Después de dos años de reparaciones, el viejo transbordador hizo su primera travesía el sábado por la mañana.
Voluntarios del pueblo repararon el motor y pintaron el casco con sus colores originales.
Artículos relacionados | Un nuevo muelle para los pesqueros | Los temporales y el rompeolas
Aviso legal | Privacidad | Contacto
""",
    "it": """
Note dal porto
Home | Notizie | Cultura | Chi siamo
Il vecchio traghetto torna in porto
Dopo due anni di riparazioni, il vecchio traghetto ha compiuto la sua prima traversata sabato mattina.
I volontari del paese hanno rimesso a posto il motore e ridipinto lo scafo con i colori originali.
Articoli correlati | Un nuovo pontile per i pescherecci | Le mareggiate e la diga foranea
Note legali | Privacy | Contatti
""",
    "pt": """
Notas do porto
Início | Notícias | Cultura | Sobre nós
A velha balsa volta ao porto
Depois de dois anos de reparos, a velha balsa fez a sua primeira travessia no sábado de manhã.
Voluntários da cidade consertaram o motor e pintaram o casco com as cores originais.
Leia também | Um novo cais para os barcos de pesca | As tempestades de inverno e o quebra-mar
Termos de uso | Privacidade | Contato
""",
    "ja": """
港だより
ホーム | ニュース | 文化 | このサイトについて
古いフェリーが港に戻る
二年間の修理を終え、古いフェリーが土曜日の朝に最初の航海を行いました。
町のボランティアがエンジンを直し、船体を元の色に塗り直しました。
関連記事 | 漁船のための新しい桟橋 | 冬の嵐と防波堤
運営会社 | プライバシーポリシー | お問い合わせ
""",
    "ko": """
항구 소식
홈 | 뉴스 | 문화 | 소개
옛 여객선이 항구로 돌아오다
2년간의 수리를 마친 옛 여객선이 토요일 아침 첫 운항을 했습니다.
마을 자원봉사자들이 엔진을 고치고 선체를 원래 색으로 다시 칠했습니다.
관련 기사 | 어선을 위한 새 부두 | 겨울 폭풍과 방파제
회사소개 | 개인정보처리방침 | 문의
""",
    "ru": """
Портовые заметки
Главная | Новости | Культура | О нас
Старый паром возвращается в порт
После двух лет ремонта старый паром в субботу утром совершил свой первый рейс.
Добровольцы из города починили двигатель и покрасили корпус в исходные цвета.
Читайте также | Новый причал для рыбацких лодок | Зимние штормы и волнорез
Контакты | Политика конфиденциальности | Реклама
""",
}
CHROME = {lang: Chrome.parse(text) for lang, text in _CHROME_TEXT.items()}


def site(
    lang: str,
    *,
    head: str = "",
    body_class: str = "",
    wrapper_class: str = "site",
    teaser: str = "",
    article: str = "",
    aside: str = "",
    footer: str = "",
) -> str:
    """A page skeleton: header (logo, navigation), article (title, byline, teaser, two
    paragraphs, extra), sidebar (thumbnails of related posts, extra), footer (legal links, extra)."""
    c = CHROME[lang]
    nav = "".join(f"<li><a href='/{i}'>{item}</a></li>" for i, item in enumerate(c.nav))
    related = "".join(
        f"<li><a href='/post/{i}'><img src='/thumbs/{i}.jpg' alt=''></a> <a href='/post/{i}'>{t}</a></li>"
        for i, t in enumerate(c.related[1:])
    )
    legal = "".join(f"<li><a href='/legal/{i}'>{item}</a></li>" for i, item in enumerate(c.legal))
    return (
        f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>{c.title} | {c.site}</title>"
        f"<meta name='viewport' content='width=device-width'>{head}</head><body class='{body_class}'>"
        f"<div id='page' class='{wrapper_class}'><header class='site-header'><a class='logo' href='/'>"
        f"<img src='/logo.svg' alt='{c.site}'></a><nav class='main-nav'><ul>{nav}</ul></nav></header>"
        f"<div class='content-area'><main id='main'><article class='post'><h1>{c.title}</h1>"
        f"<p class='byline'><time datetime='2024-05-04'>2024-05-04</time></p>{teaser}"
        f"<p>{c.body[0]}</p><p>{c.body[1]}</p>{article}</article></main>"
        f"<aside class='sidebar'><section class='widget'><h3>{c.related[0]}</h3><ul>{related}</ul></section>"
        f"{aside}</aside></div><footer class='site-footer'><ul class='legal'>{legal}</ul>{footer}</footer>"
        "</div></body></html>"
    )


def figure(credit: str, caption: str = "") -> str:
    """A figure with an image, a caption and its credit."""
    return (
        "<figure class='wp-block-image'><img src='/img/ferry.jpg' alt=''>"
        f"<figcaption>{caption}<span class='credit'>{credit}</span></figcaption></figure>"
    )


def teaser(credit: str, tag: str = "div") -> str:
    """A teaser photo in a plain block, its credit in the block under it (no class names)."""
    photo = "<div><a href='/img/ferry.jpg'><img src='/img/ferry-small.jpg' alt=''></a></div>"
    return f"{photo}<{tag}>{credit}</{tag}>"


def cc_link(kind: str, version: str = "4.0", text: str | None = None, rel: str = "") -> str:
    rel_attr = f" rel='{rel}'" if rel else ""
    words = text or f"CC {kind.upper()} {version}"
    return f"<a{rel_attr} href='{CC}/{kind}/{version}/'>{words}</a>"


DE_BY_NC_SA = (
    "Namensnennung - Nicht kommerziell - Weitergabe unter gleichen Bedingungen 4.0 International Lizenz"
)


def json_ld(data: str) -> str:
    return f"<script type='application/ld+json'>{data}</script>"


def meta(name: str, content: str) -> str:
    return f"<meta name='{name}' content='{content}'>"


def p(text: str) -> str:
    return f"<p>{text}</p>"


def _page(case: str, lang: str, name: str, label: str, html: str, headers: dict | None = None) -> Page:
    return Page(f"{lang}_{name}", label, html, headers or {}, case, lang)


ISSUE_PAGES: list[Page] = [
    # ---- credit_page: image words around the page's own licence -----------------------------
    _page(
        "credit_page",
        "en",
        "body_image_class_footer_licence",
        "CC-BY-NC-SA-4.0",
        site(
            "en",
            body_class="single single-format-image media-page",
            wrapper_class="photo-blog",
            footer=p(f"The content of this site is licensed under {cc_link('by-nc-sa')}."),
        ),
    ),
    _page(
        "credit_page",
        "de",
        "gallery_wrapper_footer_licence",
        "CC-BY-SA-4.0",
        site(
            "de",
            wrapper_class="bildergalerie-wrapper image-layout",
            footer=p(f"Die Inhalte dieser Website stehen unter der Lizenz {cc_link('by-sa')}."),
        ),
    ),
    _page(
        "credit_page",
        "fr",
        "photo_theme_footer_licence",
        "CC-BY-4.0",
        site(
            "fr",
            body_class="theme-photo has-post-thumbnail",
            footer=p(f"Le contenu de ce site est mis à disposition sous licence {cc_link('by')}."),
        ),
    ),
    _page(
        "credit_page",
        "es",
        "media_wrapper_footer_licence",
        "CC-BY-SA-4.0",
        site(
            "es",
            wrapper_class="media-content pic-layout",
            footer=p(f"El contenido de este sitio está bajo una licencia {cc_link('by-sa')}."),
        ),
    ),
    _page(
        "credit_page",
        "zh",
        "pic_body_footer_licence",
        "CC-BY-NC-SA-4.0",
        site(
            "zh",
            body_class="pic-site photo-theme",
            footer=p(f"本站内容采用{cc_link('by-nc-sa')}许可协议。"),
        ),
    ),
    _page(
        "credit_page",
        "ru",
        "image_layout_footer_licence",
        "CC-BY-4.0",
        site(
            "ru",
            wrapper_class="image-layout",
            footer=p(f"Материалы сайта доступны по лицензии {cc_link('by')}."),
        ),
    ),
    _page(
        "credit_page",
        "it",
        "footer_logo_beside_licence",
        "CC-BY-SA-4.0",
        site(
            "it",
            footer="<div class='footer-media'><img src='/logo-footer.png' alt=''>"
            f"<p>I contenuti di questo sito sono distribuiti con licenza {cc_link('by-sa')}.</p></div>",
        ),
    ),
    _page(
        "credit_page",
        "ja",
        "photo_journal_footer_licence",
        "CC-BY-4.0",
        site(
            "ja",
            body_class="photo-journal",
            footer=p(f"このサイトのコンテンツは{cc_link('by')}の下に提供されています。"),
        ),
    ),
    _page(
        "credit_page",
        "pt",
        "gallery_article_licence_after_photo",
        "CC-BY-4.0",
        site(
            "pt",
            wrapper_class="galeria-fotos",
            article="<div><img src='/img/cais.jpg' alt=''></div>"
            f"<p>Este artigo está licenciado sob {cc_link('by')}.</p>",
        ),
    ),
    _page(
        "credit_page",
        "ko",
        "image_site_footer_licence",
        "CC-BY-NC-4.0",
        site(
            "ko",
            body_class="image-site",
            footer=p(f"이 사이트의 콘텐츠는 {cc_link('by-nc')}에 따라 이용할 수 있습니다."),
        ),
    ),
    # ---- credit_only: the only licence is a media credit: unknown ------------------------------
    _page(
        "credit_only",
        "en",
        "teaser_plain_div_cc_link",
        "unknown",
        site("en", teaser=teaser(f"{cc_link('by', '2.0')} Ann Example")),
    ),
    _page(
        "credit_only",
        "de",
        "figcaption_foto",
        "unknown",
        site("de", teaser=figure(f"Foto: Max Muster / {cc_link('by-sa')}", "Die Fähre am Kai. ")),
    ),
    _page(
        "credit_only",
        "fr",
        "image_br_credit",
        "unknown",
        site(
            "fr",
            article="<p><img src='/img/digue.jpg' alt=''><br>Photo : Jean Exemple, licence"
            f" {cc_link('by', '2.0')}</p>",
        ),
    ),
    _page(
        "credit_only",
        "es",
        "group_imagen_text",
        "unknown",
        site(
            "es",
            teaser="<div class='wp-block-group'><img src='/img/muelle.jpg' alt=''>"
            "<p>Imagen: Ana Ejemplo (CC BY-SA 3.0)</p></div>",
        ),
    ),
    _page(
        "credit_only",
        "it",
        "small_after_image",
        "unknown",
        site("it", teaser=teaser(f"Foto di Marco Esempio, {cc_link('by', '2.0')}", "small")),
    ),
    _page(
        "credit_only",
        "pt",
        "credit_line_without_image",
        "unknown",
        site("pt", article=p(f"Foto: Wikimedia Commons / {cc_link('by-sa')}")),
    ),
    _page(
        "credit_only",
        "ja",
        "eyecatch_credit",
        "unknown",
        site(
            "ja",
            teaser="<div class='eyecatch'><img src='/img/ferry.jpg' alt=''></div>"
            "<p>写真：山田太郎（CC BY 4.0）</p>",
        ),
    ),
    _page(
        "credit_only",
        "ko",
        "photo_equals_credit",
        "unknown",
        site("ko", teaser=teaser("사진=김철수 / CC BY-SA 2.0", "p")),
    ),
    _page(
        "credit_only",
        "ru",
        "video_credit",
        "unknown",
        site(
            "ru",
            teaser="<div><video src='/v/parom.mp4' controls></video></div>"
            f"<p>Видео: Иван Пример, лицензия {cc_link('by', '3.0')}</p>",
        ),
    ),
    _page(
        "credit_only",
        "zh",
        "image_source_cc",
        "unknown",
        site("zh", teaser=teaser(f"图片来源：维基共享资源，{cc_link('by-sa')}", "p")),
    ),
    _page(
        "credit_only",
        "en",
        "sidebar_widget_badge",
        "unknown",
        site(
            "en",
            aside="<section class='widget'><img src='/img/sunset.jpg' alt=''><p>Image: "
            f"<a href='{CC}/by/2.0/'><img src='https://licensebuttons.net/l/by/2.0/80x15.png'></a> Ann</p>"
            "</section>",
        ),
    ),
    # ---- credit_and_footer: a credit and a page licence: the page's ----------------------------
    _page(
        "credit_and_footer",
        "en",
        "figure_credit_footer_text",
        "CC-BY-SA-4.0",
        site(
            "en",
            teaser=figure(f"Photo: Bob Example / {cc_link('by', '2.0')}"),
            footer=p(f"Text is available under the {cc_link('by-sa', text='Creative Commons BY-SA 4.0')}."),
        ),
    ),
    _page(
        "credit_and_footer",
        "de",
        "teaser_bild_footer",
        "CC-BY-NC-SA-4.0",
        site(
            "de",
            teaser=teaser(f"Bild: Erika Beispiel, {cc_link('by', '2.0')}", "p"),
            footer=p(
                "Inhalte sind, sofern nicht anders angegeben, lizenziert unter einer Creative Commons "
                + cc_link("by-nc-sa", text=DE_BY_NC_SA)
                + "."
            ),
        ),
    ),
    _page(
        "credit_and_footer",
        "fr",
        "cc0_credit_footer_by",
        "CC-BY-4.0",
        site(
            "fr",
            teaser=figure("Photo : Unsplash (CC0)"),
            footer=p(
                f"Sauf mention contraire, le contenu de ce site est publié sous licence {cc_link('by')}."
            ),
        ),
    ),
    _page(
        "credit_and_footer",
        "es",
        "credit_and_footer",
        "CC-BY-4.0",
        site(
            "es",
            teaser=teaser(f"Foto: Luis Ejemplo / {cc_link('by-sa', '2.0')}", "p"),
            footer=p(
                "Esta obra está bajo una "
                + cc_link("by", text="Licencia Creative Commons Atribución 4.0 Internacional")
                + "."
            ),
        ),
    ),
    _page(
        "credit_and_footer",
        "it",
        "credit_and_rel_license",
        "CC-BY-NC-ND-4.0",
        site(
            "it",
            teaser=figure(f"Foto: Giulia Esempio – {cc_link('by', '2.0')}"),
            footer=p(
                "Quest'opera è distribuita con "
                + cc_link("by-nc-nd", rel="license", text="Licenza Creative Commons")
                + "."
            ),
        ),
    ),
    _page(
        "credit_and_footer",
        "pt",
        "credit_and_footer",
        "CC-BY-SA-4.0",
        site(
            "pt",
            teaser=teaser(f"Imagem: Pedro Exemplo, {cc_link('by', '2.0')}", "p"),
            footer=p(f"O conteúdo deste site está disponível sob a licença {cc_link('by-sa')}."),
        ),
    ),
    _page(
        "credit_and_footer",
        "ja",
        "credit_and_footer",
        "CC-BY-NC-SA-4.0",
        site(
            "ja",
            teaser=figure(f"写真：鈴木一郎（{cc_link('by', '2.0')}）"),
            footer=p(f"当サイトの記事は{cc_link('by-nc-sa')}ライセンスで提供されています。"),
        ),
    ),
    _page(
        "credit_and_footer",
        "ko",
        "credit_and_footer",
        "CC-BY-4.0",
        site(
            "ko",
            teaser=teaser(f"사진=이영희 / {cc_link('by-sa', '2.0')}", "p"),
            footer=p(
                "이 저작물은 "
                + cc_link("by", text="크리에이티브 커먼즈 저작자표시 4.0 국제 라이선스")
                + "에 따라 이용할 수 있습니다."
            ),
        ),
    ),
    _page(
        "credit_and_footer",
        "ru",
        "credit_and_footer",
        "CC-BY-SA-4.0",
        site(
            "ru",
            teaser=figure(f"Фото: Пётр Пример, {cc_link('by', '2.0')}"),
            footer=p(
                "Текст доступен по лицензии "
                + cc_link("by-sa", text="Creative Commons Attribution-ShareAlike 4.0")
                + "."
            ),
        ),
    ),
    _page(
        "credit_and_footer",
        "zh",
        "credit_and_footer",
        "CC-BY-NC-SA-4.0",
        site(
            "zh",
            teaser=teaser(f"图片来源：某摄影师，{cc_link('by', '2.0')}", "p"),
            footer=p(f"本站文章除特别声明外，均采用 {cc_link('by-nc-sa')} 许可协议。"),
        ),
    ),
    _page(
        "credit_and_footer",
        "en",
        "credit_and_all_rights_reserved",
        "proprietary",
        site(
            "en",
            teaser=teaser(f"Photo: Ann Example / {cc_link('by-sa', '2.0')}", "p"),
            footer=p("© 2024 Harbour Media Ltd. All rights reserved."),
        ),
    ),
    # ---- reserved: rights reserved in ten languages: proprietary ------------------------------
    _page(
        "reserved",
        "en",
        "all_rights",
        "proprietary",
        site("en", footer=p("© 2024 Harbour Media Ltd. All rights reserved.")),
    ),
    _page(
        "reserved",
        "de",
        "alle_rechte",
        "proprietary",
        site("de", footer=p("© 2024 Hafen Verlag GmbH. Alle Rechte vorbehalten.")),
    ),
    _page(
        "reserved",
        "fr",
        "tous_droits",
        "proprietary",
        site("fr", footer=p("© 2024 Éditions du Port. Tous droits réservés.")),
    ),
    _page(
        "reserved",
        "es",
        "todos_derechos",
        "proprietary",
        site("es", footer=p("© 2024 Ediciones del Puerto S.L. Todos los derechos reservados.")),
    ),
    _page(
        "reserved",
        "it",
        "tutti_diritti",
        "proprietary",
        site("it", footer=p("© 2024 Edizioni del Porto S.r.l. Tutti i diritti riservati.")),
    ),
    _page(
        "reserved",
        "pt",
        "todos_direitos",
        "proprietary",
        site("pt", footer=p("© 2024 Editora do Porto Ltda. Todos os direitos reservados.")),
    ),
    _page(
        "reserved",
        "ja",
        "mudan_tensai",
        "proprietary",
        site("ja", footer=p("当サイトに掲載されている記事・写真の無断転載を禁じます。")),
    ),
    _page(
        "reserved",
        "ko",
        "mudan_jeonjae",
        "proprietary",
        site("ko", footer=p("저작권자 © 항구일보 무단 전재 및 재배포 금지")),
    ),
    _page(
        "reserved",
        "ru",
        "vse_prava",
        "proprietary",
        site("ru", footer=p("© 2024 ООО «Портовые заметки». Все права защищены.")),
    ),
    _page(
        "reserved",
        "zh",
        "banquan_suoyou",
        "proprietary",
        site("zh", footer=p("版权所有 港口传媒 未经许可不得转载")),
    ),
    _page(
        "reserved",
        "de",
        "nachdruck",
        "proprietary",
        site("de", article=p("Nachdruck nur mit Genehmigung des Verlags.")),
    ),
    _page(
        "reserved",
        "fr",
        "reproduction_interdite",
        "proprietary",
        site("fr", footer=p("Reproduction interdite sans autorisation écrite.")),
    ),
    _page(
        "reserved",
        "es",
        "prohibida_reproduccion",
        "proprietary",
        site("es", footer=p("Prohibida su reproducción total o parcial.")),
    ),
    _page(
        "reserved",
        "it",
        "riproduzione_riservata",
        "proprietary",
        site("it", article=p("Riproduzione riservata")),
    ),
    _page(
        "reserved",
        "pt",
        "proibida_reproducao",
        "proprietary",
        site("pt", footer=p("É proibida a reprodução total ou parcial deste conteúdo sem autorização.")),
    ),
    _page(
        "reserved",
        "ru",
        "kopirovanie_zapreshcheno",
        "proprietary",
        site("ru", footer=p("Полное или частичное копирование материалов запрещено.")),
    ),
    # ---- reserved_licence: rights reserved beside an explicit licence: the licence -------------
    _page(
        "reserved_licence",
        "de",
        "logo_reserved_text_licensed",
        "CC-BY-SA-4.0",
        site(
            "de",
            footer=p(f"Texte sind unter der Lizenz {cc_link('by-sa')} verfügbar.")
            + p("Logos und Marken: alle Rechte vorbehalten."),
        ),
    ),
    _page(
        "reserved_licence",
        "fr",
        "sauf_mention_logo_reserved",
        "CC-BY-SA-4.0",
        site(
            "fr",
            footer=p(f"Sauf mention contraire, le contenu est sous licence {cc_link('by-sa')}.")
            + p("Le logo : tous droits réservés."),
        ),
    ),
    _page(
        "reserved_licence",
        "es",
        "algunos_derechos",
        "CC-BY-SA-4.0",
        site("es", footer=p(f"Algunos derechos reservados. {cc_link('by-sa', rel='license')}")),
    ),
    _page(
        "reserved_licence",
        "it",
        "alcuni_diritti",
        "CC-BY-NC-SA-4.0",
        site("it", footer=p(f"Alcuni diritti riservati. {cc_link('by-nc-sa', rel='license')}")),
    ),
    _page(
        "reserved_licence",
        "pt",
        "alguns_direitos",
        "CC-BY-4.0",
        site("pt", footer=p(f"Alguns direitos reservados — {cc_link('by', rel='license')}")),
    ),
    _page(
        "reserved_licence",
        "en",
        "some_rights_reserved",
        "CC-BY-SA-4.0",
        site("en", footer=p(f"Some rights reserved. {cc_link('by-sa', rel='license')}")),
    ),
    _page(
        "reserved_licence",
        "ru",
        "design_reserved_texts_licensed",
        "CC-BY-SA-4.0",
        site(
            "ru",
            footer=p(f"Тексты доступны по лицензии {cc_link('by-sa')}.")
            + p("© 2024 Дизайн сайта. Все права защищены."),
        ),
    ),
    _page(
        "reserved_licence",
        "ja",
        "article_licence_footer_reserved",
        "CC-BY-4.0",
        site(
            "ja",
            article=p("本記事はクリエイティブ・コモンズ 表示 4.0 国際ライセンスの下に提供されています。"),
            footer=p("Copyright © 2024 港だより All Rights Reserved."),
        ),
    ),
    _page(
        "reserved_licence",
        "ko",
        "article_licence_footer_reserved",
        "CC-BY-4.0",
        site(
            "ko",
            article=p(f"이 글은 {cc_link('by')} 라이선스에 따라 이용할 수 있습니다."),
            footer=p("ⓒ 항구일보 무단 전재 및 재배포 금지"),
        ),
    ),
    _page(
        "reserved_licence",
        "zh",
        "post_licence_footer_reserved",
        "CC-BY-NC-SA-4.0",
        site(
            "zh",
            article=f"<div class='post-copyright'>本文采用 {cc_link('by-nc-sa')} 许可协议，"
            "转载请注明出处。</div>",
            footer=p("版权所有 © 2024 港口札记"),
        ),
    ),
    # ---- notice: a copyright holder, no grant: proprietary -------------------------------------
    _page(
        "notice",
        "en",
        "meta_copyright_holder",
        "proprietary",
        site("en", head=meta("copyright", "Harbour Media Ltd")),
    ),
    _page(
        "notice",
        "de",
        "meta_copyright_gmbh",
        "proprietary",
        site("de", head=meta("copyright", "Hafen Verlag GmbH")),
    ),
    _page("notice", "fr", "footer_holder_no_year", "proprietary", site("fr", footer=p("© Éditions du Port"))),
    _page(
        "notice", "es", "footer_agency_year", "proprietary", site("es", footer=p("© 2022 Agencia del Puerto"))
    ),
    _page(
        "notice",
        "it",
        "footer_copyright_vat",
        "proprietary",
        site("it", footer=p("Copyright © 2023 Edizioni del Porto S.r.l. – P.IVA 01234567890")),
    ),
    _page(
        "notice",
        "pt",
        "meta_dc_rights_holder",
        "proprietary",
        site("pt", head=meta("dc.rights", "Editora do Porto Ltda.")),
    ),
    _page(
        "notice",
        "ja",
        "footer_holder_no_year",
        "proprietary",
        site("ja", footer="<p><small>© 港だより</small></p>"),
    ),
    _page(
        "notice", "ko", "footer_copyright_holder", "proprietary", site("ko", footer=p("Copyright ⓒ 항구일보"))
    ),
    _page(
        "notice",
        "ru",
        "footer_year_range",
        "proprietary",
        site("ru", footer=p("© 2015–2024 Портовые заметки")),
    ),
    _page(
        "notice",
        "zh",
        "meta_copyright_company",
        "proprietary",
        site("zh", head=meta("copyright", "港口传媒有限公司")),
    ),
    # ---- notice_licence: a holder beside a licence, or a © only in a credit --------------------
    _page(
        "notice_licence",
        "en",
        "meta_holder_and_rel_license",
        "CC-BY-4.0",
        site("en", head=meta("copyright", "Jane Example"), footer=p(cc_link("by", rel="license"))),
    ),
    _page(
        "notice_licence",
        "de",
        "holder_dot_licence",
        "CC-BY-SA-4.0",
        site("de", footer=p(f"© 2024 Max Muster · {cc_link('by-sa')}")),
    ),
    _page(
        "notice_licence",
        "fr",
        "meta_holder_text_licence",
        "CC-BY-NC-4.0",
        site(
            "fr",
            head=meta("copyright", "Éditions du Port"),
            article=p("Cet article est publié sous licence Creative Commons BY-NC 4.0."),
        ),
    ),
    _page(
        "notice_licence",
        "ru",
        "holder_and_licence_sentence",
        "CC-BY-SA-4.0",
        site("ru", footer=p("© 2024 Иван Пример. Текст доступен по лицензии CC BY-SA 4.0.")),
    ),
    _page(
        "notice_licence",
        "zh",
        "meta_holder_and_licence",
        "CC-BY-4.0",
        site("zh", head=meta("copyright", "小李"), article=p("本文采用 CC BY 4.0 许可协议。")),
    ),
    _page(
        "notice_licence",
        "en",
        "copyright_only_in_caption",
        "unknown",
        site("en", teaser=figure("Photo: © 2024 Ann Example")),
    ),
    _page(
        "notice_licence",
        "de",
        "copyright_only_under_teaser",
        "unknown",
        site("de", teaser=teaser("Foto: © dpa", "p")),
    ),
    _page(
        "notice_licence",
        "es",
        "holder_and_rel_license",
        "CC-BY-SA-4.0",
        site("es", head=meta("copyright", "Ediciones del Puerto"), footer=p(cc_link("by-sa", rel="license"))),
    ),
    # ---- rel_copyright: rel="copyright" to a licence deed, or to a page of the site -------------
    _page(
        "rel_copyright",
        "en",
        "mediawiki_head_link",
        "CC-BY-SA-4.0",
        site(
            "en",
            head=f"<link rel='copyright' href='{CC}/by-sa/4.0/'>",
            body_class="mediawiki ltr sitedir-ltr ns-0",
        ),
    ),
    _page(
        "rel_copyright",
        "de",
        "mediawiki_head_link_deed_de",
        "CC-BY-SA-4.0",
        site(
            "de",
            head=f"<link rel='copyright' href='{CC}/by-sa/4.0/deed.de'>",
            body_class="mediawiki ltr",
        ),
    ),
    _page(
        "rel_copyright",
        "fr",
        "footer_anchor",
        "CC-BY-4.0",
        site("fr", footer=p(f"<a rel='copyright' href='{CC}/by/4.0/deed.fr'>Licence</a>")),
    ),
    _page(
        "rel_copyright",
        "ru",
        "head_link_by_sa_3",
        "CC-BY-SA-3.0",
        site("ru", head=f"<link rel='copyright' href='{CC}/by-sa/3.0/'>"),
    ),
    _page(
        "rel_copyright",
        "ja",
        "badge_anchor",
        "CC-BY-NC-4.0",
        site(
            "ja",
            footer=f"<a rel='copyright' href='{CC}/by-nc/4.0/deed.ja'><img"
            " src='https://i.creativecommons.org/l/by-nc/4.0/88x31.png' alt='クリエイティブ・コモンズ'></a>",
        ),
    ),
    _page(
        "rel_copyright",
        "en",
        "link_to_own_page",
        "unknown",
        site("en", head="<link rel='copyright' href='/copyright.html'>"),
    ),
    _page(
        "rel_copyright",
        "es",
        "anchor_to_legal_page_and_notice",
        "proprietary",
        site(
            "es",
            footer=p("<a rel='copyright' href='/aviso-legal'>Aviso legal</a> © 2024 Ediciones del Puerto"),
        ),
    ),
    _page(
        "rel_copyright",
        "zh",
        "link_to_own_page",
        "unknown",
        site("zh", head="<link rel='copyright' href='/about/copyright'>"),
    ),
    _page(
        "rel_copyright",
        "it",
        "inside_a_caption",
        "unknown",
        site(
            "it",
            teaser=figure(f"Foto: Luca Esempio, <a rel='copyright' href='{CC}/by/2.0/'>CC BY 2.0</a>"),
        ),
    ),
    _page(
        "rel_copyright",
        "pt",
        "link_to_terms_and_footer_licence",
        "CC-BY-4.0",
        site(
            "pt",
            head="<link rel='copyright' href='/termos'>",
            footer=p(f"Este site está licenciado sob {cc_link('by')}."),
        ),
    ),
]


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


def old_figure(caption: str, tag: str = "figure") -> str:
    image = "<img src='/photo.jpg' alt=''>"
    return f"<{tag} class='wp-block-image'>{image}<figcaption>{caption}</figcaption></{tag}>"


# ---- general: an earlier set (en, zh, ja, ko), kept as regressions ----------------------------

GENERAL_PAGES: list[Page] = [
    # ---- CC-BY-4.0 ------------------------------------------------------------------------
    Page(
        "wp_image_format_footer_badge",
        "CC-BY-4.0",
        page(
            old_figure("The rack room."),
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
            old_figure("Our cluster."),
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
            old_figure("A server hall, 2019. Photo: Bob, CC BY 2.0"),
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
            old_figure("Sunrise over the data centre."),
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
            old_figure(f"Photo: Ann / <a href='{CC}/by/2.0/'>CC BY 2.0</a>"),
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
            old_figure(f"Photo: Jane Doe / <a href='{CC}/by/2.0/'>CC BY 2.0</a>"),
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


PAGES: list[Page] = ISSUE_PAGES + GENERAL_PAGES

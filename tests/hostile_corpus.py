"""A hostile-input corpus the tests write themselves (issue 20), with the good documents around
each hostile one, and what must become of every document.

`build(folder)` writes three sources (WARC files, a folder of files, a JSONL file) and returns
their `sources[]` config plus the expected outcome per document: `HOSTILE` maps a name to
(uri, drop reason), `GOOD` the uris that must be kept. Big inputs are generated in chunks
(compressed members of zeros or repeated text), in about a second and without holding them.
"""

from __future__ import annotations

import io
import json
import random
import zlib
from pathlib import Path

import pymupdf
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tests.corpus import html_page

MiB = 1 << 20
BOMB_BYTES = 80 * MiB  # inflated size of the WARC bomb (past ingest's 64 MiB default cap)
BIG_HTML_BYTES = 50 * MiB  # under ingest's cap, over extract_html's max_bytes (20 MB)
LONG_LINE_BYTES = 200 * MiB  # one JSONL line
DEPTH = 100_000
PDF_PAGES = 20_000
IMAGE_SIDE = 30_000

# which good document goes where (distinct articles, so no two are duplicates)
_GOOD = {
    "web/bomb.warc.gz": (0, 1),
    "web/mixed.warc.gz": (2, 3, 4),
    "web/cut_second.warc.gz": (5,),
    "text/text.jsonl": (6, 7, 8),
}


_EN_WORDS = (
    "river harbour library teacher student garden village market bridge lantern morning winter "
    "summer autumn journey letter window mountain valley forest meadow kitchen bakery museum station "
    "painter doctor farmer sailor writer singer engineer neighbour festival concert lesson chapter "
    "story season evening island castle orchard cottage workshop painting record answer question "
    "opened carried repaired measured visited planted discussed followed remembered collected built "
    "described watched cleaned counted crossed shared borrowed finished started noticed explained "
    "quiet narrow ancient gentle bright early patient careful simple famous distant wooden golden "
    "northern little heavy clever friendly modest"
)
EN_WORDS = _EN_WORDS.split()
_EN_STOP = "the the the of of and and to to with that a a in on was is for from by"
EN_STOP = _EN_STOP.split()
_ZH_WORDS = (
    "图书馆 老师 学生 花园 村庄 集市 石桥 灯笼 早晨 冬天 夏天 秋天 旅途 信件 窗户 高山 "
    "山谷 森林 草地 厨房 面包 博物馆 车站 画家 医生 农民 水手 作家 歌手 工程师 邻居 节日 "
    "音乐会 课程 章节 故事 季节 傍晚 小岛 城堡 果园 小屋 工坊 绘画 记录 答案 问题 打开 "
    "搬运 修理 测量 参观 种植 讨论 跟随 记得 收集 建造 描述 观看 打扫 计算 穿过 分享 借来 "
    "完成 开始 注意 解释 安静 狭窄 古老 温和 明亮 耐心 仔细 简单 著名 遥远 木制 金色 北方 "
    "小小 沉重 聪明 友好 谦虚 河流 港口 灯塔 稻田 日记 钟声"
)
ZH_WORDS = _ZH_WORDS.split()


def good_text(n: int) -> str:
    """Six paragraphs of words drawn at random (seed n): English for even n, Chinese for odd,
    varied enough that the quickstart's quality rules (duplicate n-grams, stop words) keep it."""
    rng = random.Random(n)
    paras = []
    for _ in range(6):
        sentences = []
        for _ in range(rng.randint(3, 5)):
            k = rng.randint(8, 14)
            if n % 2:
                words = [rng.choice(ZH_WORDS) for _ in range(k)]
                cut = rng.randint(3, k - 3)
                sentences.append("".join(words[:cut]) + "的" + "".join(words[cut:]) + "。")
            else:
                words = [rng.choice(EN_STOP if i % 2 == 0 else EN_WORDS) for i in range(k)]
                sentence = " ".join(words)
                sentences.append(sentence[0].upper() + sentence[1:] + ".")
        paras.append(("" if n % 2 else " ").join(sentences))
    return "\n".join(paras)


def good_html(n: int) -> bytes:
    return html_page(f"Good page {n}", good_text(n), "zh" if n % 2 else "en").encode()


def _response(writer: WARCWriter, uri: str, body: bytes | io.RawIOBase, content_type: str) -> None:
    stream = io.BytesIO(body) if isinstance(body, bytes) else body
    headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
    record = writer.create_warc_record(
        uri,
        "response",
        payload=stream,
        http_headers=headers,
        warc_headers_dict={"WARC-Date": "2025-01-02T03:04:05Z"},
    )
    writer.write_record(record)


def _good_records(writer: WARCWriter, numbers: tuple[int, ...]) -> list[str]:
    uris = []
    for n in numbers:
        uri = f"https://good.example.org/{n}"
        _response(writer, uri, good_html(n), "text/html; charset=utf-8")
        uris.append(uri)
    return uris


class _Zeros(io.RawIOBase):
    """`size` bytes of an HTML page made of one repeated letter, read in chunks (never held)."""

    def __init__(self, size: int) -> None:
        self.left = size
        self.head = b"<html><body><p>"

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = min(len(buffer), self.left)
        chunk = (self.head + b"a" * n)[:n]
        self.head = self.head[len(chunk) :]
        buffer[:n] = chunk
        self.left -= n
        return n


def _warcs(folder: Path, hostile: dict, good: list[str]) -> None:
    web = folder / "web"
    web.mkdir()
    with (web / "bomb.warc.gz").open("wb") as handle:  # a ~80 KB member inflating to 80 MiB
        writer = WARCWriter(handle, gzip=True)
        good += _good_records(writer, _GOOD["web/bomb.warc.gz"][:1])
        _response(writer, "https://bomb.example.org/", _Zeros(BOMB_BYTES), "text/html")
        good += _good_records(writer, _GOOD["web/bomb.warc.gz"][1:])
    hostile["gzip_bomb_in_warc"] = ("https://bomb.example.org/", "ingest:doc_too_large")

    junk = random.Random(20).randbytes(200_000)
    zh = good_text(9)
    lying = html_page("字符集", zh, "zh", charset="utf-8").encode("gb18030")  # says UTF-8, is GBK
    deep = b"<html><body>" + b"<div>" * DEPTH + good_html(10) + b"</div>" * DEPTH + b"</body></html>"
    with (web / "mixed.warc.gz").open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        numbers = _GOOD["web/mixed.warc.gz"]
        good += _good_records(writer, numbers[:1])
        _response(writer, "https://junk.example.org/", junk, "text/html")
        good += _good_records(writer, numbers[1:2])
        _response(writer, "https://charset.example.org/", lying, "text/html; charset=utf-8")
        _response(writer, "https://deep.example.org/", deep, "text/html")
        good += _good_records(writer, numbers[2:])
    hostile["binary_junk_as_html"] = ("https://junk.example.org/", "extract_html:undecodable")
    hostile["nested_100k_deep"] = ("https://deep.example.org/", "extract_html:too_deep")

    one = io.BytesIO()
    _good_records(WARCWriter(one, gzip=False), (11,))
    record = one.getvalue()
    (web / "cut_first.warc").write_bytes(record[: record.index(b"WARC-Target-URI") + 20])
    hostile["warc_cut_in_first_header"] = (
        "web/cut_first.warc@0",
        "ingest:malformed_warc_record:header",
    )

    with (web / "cut_second.warc.gz").open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        good += _good_records(writer, _GOOD["web/cut_second.warc.gz"])
        cut_at = handle.tell()
    squeeze = zlib.compressobj(wbits=31)  # gzip, ending (unfinished) after 40 bytes of header
    with (web / "cut_second.warc.gz").open("ab") as handle:
        handle.write(squeeze.compress(record[:40]) + squeeze.flush(zlib.Z_SYNC_FLUSH))
    hostile["warc_cut_in_second_header"] = (
        f"web/cut_second.warc.gz@{cut_at}",
        "ingest:malformed_warc_record:header",
    )

    (web / "empty.warc.gz").write_bytes(b"")
    hostile["empty_warc"] = ("web/empty.warc.gz", "ingest:empty_file")


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF of `objects` (numbered from 1, the first the catalog) with a correct xref table."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def self_referencing_pdf() -> bytes:
    """The page tree's only kid is the page tree itself."""
    return _pdf([b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[2 0 R]/Count 1>>"])


def many_pages_pdf(pages: int) -> bytes:
    kids = b" ".join(b"%d 0 R" % (3 + i) for i in range(pages))
    page = b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>"
    return _pdf(
        [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[%s]/Count %d>>" % (kids, pages)]
        + [page] * pages
    )


def huge_image_pdf(side: int) -> bytes:
    """One page showing a side x side grey image (side^2 bytes inflated; ~1 MB deflated)."""
    squeeze = zlib.compressobj(6)
    row_block = bytes(side * 64)
    data = b"".join(squeeze.compress(row_block) for _ in range(side // 64)) + squeeze.flush()
    image = b"<</Type/XObject/Subtype/Image/Width %d/Height %d/ColorSpace/DeviceGray" % (side, side)
    image += (
        b"/BitsPerComponent 8/Filter/FlateDecode/Length %d>>\nstream\n" % len(data) + data + b"\nendstream"
    )
    content = b"q 612 0 0 792 0 0 cm /Im0 Do Q"
    return _pdf(
        [
            b"<</Type/Catalog/Pages 2 0 R>>",
            b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
            b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]"
            b"/Resources<</XObject<</Im0 4 0 R>>>>/Contents 5 0 R>>",
            image,
            b"<</Length %d>>\nstream\n" % len(content) + content + b"\nendstream",
        ]
    )


def good_pdf(n: int) -> bytes:
    doc = pymupdf.open()
    for line, para in enumerate(good_text(n).split("\n")):
        page = doc.new_page() if line % 4 == 0 else doc[-1]
        font = {"fontname": "china-s"} if n % 2 else {}
        page.insert_textbox(
            pymupdf.Rect(72, 72 + (line % 4) * 150, 520, 72 + (line % 4) * 150 + 140), para, **font
        )
    return doc.tobytes()


def _files(folder: Path, hostile: dict, good: list[str]) -> None:
    docs = folder / "docs"
    docs.mkdir()
    with (docs / "big.html").open("wb") as handle:
        handle.write(b"<html><body><article>")
        para = f"<p>{good_text(12)}</p>\n".encode()
        for _ in range(BIG_HTML_BYTES // len(para) + 1):
            handle.write(para)
        handle.write(b"</article></body></html>")
    hostile["html_50mb"] = ("docs/big.html", "extract_html:oversize:bytes")
    (docs / "good_13.html").write_bytes(good_html(13))
    (docs / "good_14.pdf").write_bytes(good_pdf(14))
    good += ["docs/good_13.html", "docs/good_14.pdf"]
    (docs / "self_ref.pdf").write_bytes(self_referencing_pdf())
    hostile["pdf_self_referencing_page_tree"] = ("docs/self_ref.pdf", "extract_pdf:corrupt:page_tree")
    (docs / "pages_20k.pdf").write_bytes(many_pages_pdf(PDF_PAGES))
    hostile["pdf_20000_empty_pages"] = ("docs/pages_20k.pdf", "extract_pdf:oversize:pages")
    (docs / "huge_image.pdf").write_bytes(huge_image_pdf(IMAGE_SIDE))
    hostile["pdf_30000x30000_image"] = ("docs/huge_image.pdf", "extract_pdf:no_text_layer")


def _jsonl(folder: Path, hostile: dict, good: list[str]) -> None:
    text = folder / "text"
    text.mkdir()
    numbers = _GOOD["text/text.jsonl"]
    with (text / "text.jsonl").open("w", encoding="utf-8") as handle:
        good_line = {"url": f"https://jsonl.example.org/{numbers[0]}", "text": good_text(numbers[0])}
        handle.write(json.dumps(good_line, ensure_ascii=False) + "\n")
        handle.write(json.dumps({"url": "https://nul.example.org/", "text": "\x00" * 5000}) + "\n")
        handle.write(json.dumps({"url": "https://surrogate.example.org/", "text": "abc\ud800def"}) + "\n")
        handle.write('{"url": "https://long.example.org/", "text": "')
        chunk = "a" * MiB
        for _ in range(LONG_LINE_BYTES // MiB):
            handle.write(chunk)
        handle.write('"}\n')
        with_nuls = good_text(numbers[1]).replace("\n", "\x00\n", 2)  # a good text holding NULs
        handle.write(json.dumps({"url": f"https://jsonl.example.org/{numbers[1]}", "text": with_nuls}) + "\n")
        last = {"url": f"https://jsonl.example.org/{numbers[2]}", "text": good_text(numbers[2])}
        handle.write(json.dumps(last, ensure_ascii=False) + "\n")
    good += [f"https://jsonl.example.org/{n}" for n in numbers]
    hostile["jsonl_nul_bytes"] = ("https://nul.example.org/", "normalize:empty_text")
    hostile["jsonl_lone_surrogate"] = ("https://surrogate.example.org/", "ingest:lone_surrogate:text")
    hostile["jsonl_200mb_line"] = ("text/text.jsonl#line=4", "ingest:doc_too_large")


def build(folder: Path) -> tuple[list[dict], dict[str, tuple[str, str]], list[str]]:
    """(sources, hostile name -> (uri, drop reason), uris of the good documents)."""
    hostile: dict[str, tuple[str, str]] = {}
    good: list[str] = []
    _warcs(folder, hostile, good)
    _files(folder, hostile, good)
    _jsonl(folder, hostile, good)
    good.append("https://charset.example.org/")  # a lying charset, read right: kept
    sources = [
        {"name": "web", "kind": "warc", "paths": ["web"]},
        {"name": "docs", "kind": "files", "paths": ["docs"], "files_per_shard": 2},
        {"name": "text", "kind": "jsonl", "paths": ["text"]},
    ]
    return sources, hostile, good

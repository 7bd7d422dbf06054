"""A generated zh/en document set with PII planted at known offsets, and hard negatives.

The labels come from here, never from the detector: each value is made by this module (check
digits computed here, independently of `classifiers/checksums.py`) and its (start, end, type)
recorded as it is written into the text. Hard negatives (ISBNs, DOIs, dates and times, version
strings, order and tracking numbers, prices, Chinese numbers in prose, private addresses, an
allow-listed public address, code samples) are written unlabelled: anything found there is a
false positive.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field

ALLOW = [r"(?:press|info|media)@[a-z.]+\.(?:org|int)"]  # the config's allow-list for these docs

EN_FILLER = [
    "The committee met on a rainy afternoon to review the proposal.",
    "Several members asked for more time to read the attached documents.",
    "Training data quality matters more than most people expect.",
    "We thank everyone who took part in the survey last spring.",
    "The library will close early because of the holiday.",
    "Please keep this notice for your records.",
    "Our team replied to every message within a day.",
]
ZH_FILLER = [
    "委员会在一个下雨的下午开会讨论了这份提案。",
    "几位成员希望有更多时间阅读附件材料。",
    "训练数据的质量比大多数人想象的更重要。",
    "感谢去年春天参加问卷调查的每一位朋友。",
    "图书馆因节假日将提前闭馆。",
    "请妥善保管本通知。",
    "我们的团队在一天之内回复了所有消息。",
]
EN_LEAD = {
    "email": ["Contact: ", "Write to ", "E-mail "],
    "phone": ["Call ", "Phone: ", "Tel. "],
    "ip_address": ["The login came from ", "Client IP: "],
    "cn_id": ["ID number ", "Resident ID: "],
    "payment_card": ["Card number ", "Paid with card "],
    "iban": ["IBAN: ", "Transfer to "],
    "url_credentials": ["Connect with ", "The feed is at "],
    "secret": ["The key is ", "Token: "],
}
ZH_LEAD = {
    "email": ["联系邮箱：", "请发邮件至", "邮箱"],
    "phone": ["联系电话：", "手机", "请致电"],
    "ip_address": ["登录地址来自", "客户端IP："],
    "cn_id": ["身份证号：", "身份证号码"],
    "payment_card": ["银行卡号：", "刷卡卡号"],
    "iban": ["收款账户IBAN：", "汇款至"],
    "url_credentials": ["数据库连接串", "订阅地址："],
    "secret": ["密钥是", "令牌："],
}


@dataclass
class Doc:
    lang: str
    text: str = ""
    labels: list[tuple[int, int, str]] = field(default_factory=list)

    def add(self, piece: str, kind: str | None = None) -> None:
        if kind is not None:
            self.labels.append((len(self.text), len(self.text) + len(piece), kind))
        self.text += piece


# -- values with their check digits ------------------------------------------------------------


def luhn_digit(body: str) -> str:
    total = 0
    for i, char in enumerate(reversed(body)):
        d = int(char) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def card(rng: random.Random) -> str:
    prefix, length, groups = rng.choice(
        [("4", 16, (4, 4, 4, 4)), ("51", 16, (4, 4, 4, 4)), ("2221", 16, (4, 4, 4, 4)),
         ("37", 15, (4, 6, 5)), ("62", 16, (4, 4, 4, 4)), ("62", 19, (6, 13))]
    )  # fmt: skip
    body = prefix + "".join(rng.choice(string.digits) for _ in range(length - len(prefix) - 1))
    number = body + luhn_digit(body)
    sep = rng.choice(["", " ", "-"])
    out, at = [], 0
    for size in groups:
        out.append(number[at : at + size])
        at += size
    return sep.join(out)


def iban(rng: random.Random) -> str:
    country, bban = rng.choice(
        [("DE", "37040044" + "".join(rng.choice(string.digits) for _ in range(10))),
         ("GB", "WEST" + "".join(rng.choice(string.digits) for _ in range(14))),
         ("FR", "".join(rng.choice(string.digits) for _ in range(23))),
         ("NL", "ABNA" + "".join(rng.choice(string.digits) for _ in range(10)))]
    )  # fmt: skip
    numeric = "".join(str(int(c, 36)) for c in bban + country + "00")
    value = f"{country}{98 - int(numeric) % 97:02d}{bban}"
    return " ".join(value[i : i + 4] for i in range(0, len(value), 4)) if rng.random() < 0.5 else value


def cn_id(rng: random.Random) -> str:
    region = rng.choice(["110105", "310104", "440305", "330106", "510107", "420111"])
    birth = f"{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body = region + birth + f"{rng.randint(0, 999):03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]
    return body + check


def phone(rng: random.Random, lang: str) -> str:
    def digits(n: int) -> str:
        return "".join(rng.choice(string.digits) for _ in range(n))

    mobile = rng.choice(["138", "139", "150", "186", "188", "135", "199"]) + digits(8)
    area = rng.choice(["212", "415", "617", "303", "206"])
    exchange = rng.choice([str(x) for x in range(201, 990) if x % 100 != 11 and x != 555])  # NANP: not N11
    forms = [
        mobile,
        f"{mobile[:3]} {mobile[3:7]} {mobile[7:]}",
        f"+86 {mobile[:3]} {mobile[3:7]} {mobile[7:]}",
        f"+86{mobile}",
        f"{rng.choice(['010', '021', '020'])}-{rng.randint(2, 8)}{digits(7)}",
        f"(0755) {rng.randint(2, 8)}{digits(3)} {digits(4)}",
        f"({area}) {exchange}-{digits(4)}",
        f"+1 {area}-{exchange}-{digits(4)}",
        f"{area}.{exchange}.{digits(4)}",
        f"+44 20 7946 {digits(4)}",
        f"+49 30 {rng.randint(2, 9)}{digits(7)}",
        f"+81 3 {rng.randint(3, 6)}{digits(3)} {digits(4)}",
    ]
    return rng.choice(forms[:6] if lang == "zh" and rng.random() < 0.6 else forms)


def ip(rng: random.Random) -> str:
    if rng.random() < 0.7:
        first = rng.choice([8, 23, 45, 61, 101, 114, 180, 202, 218])
        return f"{first}.{rng.randint(1, 254)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    head = rng.choice(["2001:4860", "2606:4700", "2400:cb00", "2a00:1450"])
    tail = ":".join(f"{rng.randint(1, 0xFFFF):x}" for _ in range(rng.choice([2, 3])))
    return f"{head}:{rng.choice(['', '4860:'])}:{tail}" if rng.random() < 0.5 else f"{head}::{tail}"


def email(rng: random.Random) -> str:
    user = rng.choice(["zhang.wei", "li_na", "john.smith", "mary99", "wang.fang+news", "k.tanaka"])
    return (
        f"{user}{rng.randint(1, 999)}@{rng.choice(['gmail.com', 'qq.com', '163.com', 'mail.example.co.uk'])}"
    )


def secret(rng: random.Random) -> str:
    def chars(alphabet: str, n: int) -> str:
        return "".join(rng.choice(alphabet) for _ in range(n))

    mixed = string.ascii_letters + string.digits
    kind = rng.randrange(4)
    if kind == 0:
        return "AKIA" + chars(string.ascii_uppercase + string.digits, 16)
    if kind == 1:
        return "ghp_" + chars(mixed, 36)
    if kind == 2:
        return "sk-proj-" + chars(string.ascii_lowercase, 4) + "A7" + chars(mixed, 34)
    body = "\n".join(chars(mixed + "+/", 64) for _ in range(3))
    return f"-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----"


def credentials(rng: random.Random) -> tuple[str, str, str]:
    """(text before, the `user:password` label, text after)."""
    user = rng.choice(["admin", "deploy", "alice", "svc_report"])
    password = rng.choice(["s3cretPw", "Tr0ub4dor", "hunter2x", "P%40ss!9"])
    scheme, host = rng.choice([("https", "files.example.net/feed"), ("postgres", "db.example.org:5432/app")])
    return f"{scheme}://", f"{user}:{password}", f"@{host}"


MAKERS = {
    "email": email,
    "ip_address": ip,
    "cn_id": cn_id,
    "payment_card": card,
    "iban": iban,
    "secret": secret,
}

# -- hard negatives ----------------------------------------------------------------------------


def isbn13(rng: random.Random) -> str:
    body = "9787" + "".join(rng.choice(string.digits) for _ in range(8))
    check = (10 - sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(body)) % 10) % 10
    return f"{body[:3]}-{body[3]}-{body[4:7]}-{body[7:12]}-{check}"


def negatives(rng: random.Random, lang: str) -> list[str]:
    """Texts that hold no PII (every one is written into some documents)."""
    n = rng.randint
    order = f"{n(2019, 2024)}{n(1, 12):02d}{n(1, 28):02d}{n(0, 9999999):07d}"
    en = [
        f"ISBN {isbn13(rng)}",
        f"doi:10.{n(1000, 9999)}/j.cell.{n(2015, 2024)}.{n(1, 12):02d}.{n(1, 99):03d}",
        f"Updated {n(2015, 2024)}-{n(1, 12):02d}-{n(1, 28):02d} {n(0, 23):02d}:{n(0, 59):02d}:{n(0, 59):02d}",
        f"due {n(1, 28):02d}/{n(1, 12):02d}/{n(2015, 2030)}",
        f"version {n(1, 9)}.{n(0, 9)}.{n(0, 9)}.{n(1, 99)}",
        f"upgrade to v{n(1, 9)}.{n(0, 20)}.{n(0, 9)}.{n(1, 30)}",
        f"Order number {order}",
        f"tracking number 1Z{n(100, 999)}AA1{n(100000000, 999999999)}",
        f"Order #4{''.join(rng.choice(string.digits) for _ in range(15))}",
        f"price ${n(1, 9)},{n(100, 999)}.{n(0, 99):02d}",
        f"about {n(1, 9)},{n(100, 999)},{n(100, 999)} readers",
        f"the router at 192.168.{n(0, 255)}.{n(1, 254)}",
        f"localhost 127.0.0.{n(1, 9)}",
        f"docs at 203.0.113.{n(1, 254)}",
        "press@unesco.org",
        f"```\ngit clone git@github.com:org/repo{n(1, 99)}.git\nping 8.8.{n(0, 8)}.{n(1, 8)}\n```",
        f'SERVER = "{n(20, 99)}.{n(1, 200)}.{n(0, 255)}.{n(1, 254)}"',
        "the method sk-learn-compatible-estimators-for-pipelines",
        f"at {n(0, 23):02d}:{n(0, 59):02d}:{n(0, 59):02d} sharp",
    ]
    zh = [
        f"书号 ISBN {isbn13(rng)}",
        f"更新于{n(2015, 2024)}年{n(1, 12)}月{n(1, 28)}日 {n(0, 23):02d}:{n(0, 59):02d}",
        f"订单号{order}",
        f"运单号SF{n(1000000000, 9999999999)}{n(100, 999)}",
        f"快递单号：{n(1000000000, 9999999999)}{n(10000, 99999)}",
        f"升级到 {n(1, 9)}.{n(0, 9)}.{n(0, 9)}.{n(1, 99)} 版本",
        f"版本号：{n(1, 9)}.{n(0, 9)}.{n(0, 9)}.{n(1, 99)}",
        f"售价{n(1000, 9999)}元，折后¥{n(1, 99)},{n(100, 999)}.00",
        f"全国人口约{n(10, 14)}.{n(1, 9)}亿，共计{n(1, 9)},{n(100, 999)},{n(100, 999)}人",
        "二〇二三年十二月三十一日",
        f"第{n(1, 99)}章第{n(1, 20)}节",
        f"内网地址192.168.{n(0, 255)}.{n(1, 254)}",
        "媒体联系：press@unesco.org",
        f"```\nexport HOST={n(20, 99)}.{n(1, 200)}.{n(0, 255)}.{n(1, 254)}\n```",
    ]
    return en if lang == "en" else zh


def plant(doc: Doc, kind: str, rng: random.Random) -> None:
    leads = EN_LEAD if doc.lang == "en" else ZH_LEAD
    doc.add(rng.choice(leads[kind]))
    if kind == "url_credentials":
        before, label, after = credentials(rng)
        doc.add(before)
        doc.add(label, kind)
        doc.add(after)
    elif kind == "phone":
        doc.add(phone(rng, doc.lang), kind)
    else:
        doc.add(MAKERS[kind](rng), kind)
    doc.add(". " if doc.lang == "en" else "。")


def make_docs(count: int = 600, seed: int = 21) -> list[Doc]:
    """`count` documents, half English, half Chinese (no spaces around the planted values in
    Chinese), each with 2-5 planted values and 1-3 hard negatives between filler sentences."""
    rng = random.Random(seed)
    kinds = ["email", "phone", "ip_address", "cn_id", "payment_card", "iban", "url_credentials", "secret"]
    docs = []
    for i in range(count):
        doc = Doc("en" if i % 2 == 0 else "zh")
        filler = EN_FILLER if doc.lang == "en" else ZH_FILLER
        sep = " " if doc.lang == "en" else ""
        steps = [("pii", k) for k in rng.sample(kinds, rng.randint(2, 5))]
        steps += [("neg", v) for v in rng.sample(negatives(rng, doc.lang), rng.randint(1, 3))]
        rng.shuffle(steps)
        for what, value in steps:
            doc.add(rng.choice(filler) + sep)
            if what == "pii":
                plant(doc, value, rng)
            else:
                code = value.startswith(("```", "SERVER"))  # code samples stand on lines of their own
                doc.add(f"\n{value}\n" if code else value + ("。" if doc.lang == "zh" else ". "))
        doc.add(rng.choice(filler))
        docs.append(doc)
    return docs

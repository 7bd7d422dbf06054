#!/usr/bin/env python3
# ruff: noqa: E501  (this file is mostly prose paragraphs, HTML and README templates kept one per line)
"""Generate datamill's bundled sample corpus in ``data/sample/``.

Usage::

    python data/make_sample.py            # writes data/sample/ next to this file
    python data/make_sample.py --out DIR  # writes somewhere else

All text in the corpus is original prose written for the datamill project
(towns, people, shops, forum users and publishers are fictional; "Jane Doe" is
a placeholder name). It is released under CC0-1.0, see data/sample/README.md.

The output is deterministic: running the script twice produces byte-identical
files.  To get there:

* WARC-Date / HTTP Date headers come from a fixed base time plus an offset,
  WARC-Record-IDs are uuid5() of the record type and URL.
* gzip members are written with zlib (wbits=31), so the gzip header carries
  mtime 0 and no file name.
* PDFs get fixed creation/modification dates and are saved with
  ``no_new_id=True`` (MuPDF then writes no random /ID).  MuPDF's own
  encryption always draws a random /ID and /U padding, so ``encrypted.pdf`` is
  written by a small hand-rolled PDF writer with the standard RC4-128
  (V2/R3) security handler and a fixed /ID.
* The only pseudo-random bytes (``corrupt.pdf``) come from random.Random(SEED).

Broken WARC records (deliberate, see README.md):

1. MIDDLE of web.warc.gz: after the response for
   https://blog.example.cn/posts/rag-in-practice.html there is one gzip member
   that is a complete, valid gzip stream but whose WARC record starts with the
   version line ``WRAC/1.0`` instead of ``WARC/1.0`` (and its Content-Length
   header is ``12O4`` with a capital letter O).  warcio raises
   ``ArchiveLoadFailed: Invalid WARC record, first line: WRAC/1.0`` when it
   reaches that member.  All gzip members after it are valid, so a reader that
   resyncs on the next gzip member (bytes 1f 8b 08) can continue.  The byte
   offset of this member is printed by the script and listed in README.md.
2. END of web.warc.gz: the last gzip member is a response record for
   https://news.example.cn/2025/0320/spring-weather.html cut off after 60 % of
   its compressed bytes (no gzip trailer, payload incomplete).
"""

from __future__ import annotations

import argparse
import hashlib
import html
import io
import json
import random
import re
import struct
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pymupdf
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

SEED = 20250315
UUID_NS = uuid.UUID("6f1d3c1e-2b7a-5c55-9d7e-0da7a11da7a0")
CRAWL_START = datetime(2025, 3, 15, 8, 0, 0, tzinfo=UTC)
PDF_DATE = "D:20250315080000Z"
USER_AGENT = "datamill-sample-crawler/0.1 (+https://datamill.example.org/bot)"

# ---------------------------------------------------------------------------
# Article texts (original prose, written for datamill)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Article:
    key: str
    lang: str
    title: str
    date: str
    byline: str
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        """Plain text of the body: paragraphs joined by newlines."""
        return "\n".join(strip_marks(p) for p in self.paragraphs)


def strip_marks(p: str) -> str:
    return p.replace("`", "")


ZH_AI = Article(
    "zh_ai",
    "zh",
    "大模型是怎样“炼”成的：从预训练到 RLHF",
    "2025-03-12",
    "本报记者 林小禾",
    (
        "过去两年，以 GPT-4 为代表的大语言模型走进了许多人的日常工作。写邮件、改代码、整理会议纪要，这些原本需要花上半小时的事情，现在往往几分钟就能完成。不过，很多读者仍然好奇：这样一个模型究竟是怎样训练出来的？记者采访了几位从事模型研发的工程师，试着把这个过程拆开来讲。",
        "第一步是准备数据。工程师们会从公开网页、书籍、论文和代码仓库中收集海量文本，再经过去重、过滤和清洗。一位受访者打了个比方：“数据就像食材，食材不新鲜，厨师手艺再好也做不出好菜。”在这个阶段，重复的网页、乱码、广告和低质量内容都会被尽量剔除，剩下的文本会被切分成一个个 token，也就是模型能够处理的最小单位。一个英文单词可能对应一到两个 token，而一个汉字有时就是一个 token。",
        "第二步是预训练。目前主流的模型大多基于 Transformer 架构，它依靠注意力机制，让模型在读到某个词时能够“回头看”上下文中的其他词。预训练的目标看起来非常朴素：给定前面的文字，预测下一个 token。但正是在数万亿次这样的预测中，模型逐渐学会了语法、常识，甚至一定程度的推理能力。这个阶段需要成千上万块 GPU 连续运行数周乃至数月，电费和硬件成本都相当惊人。",
        "第三步是指令微调。预训练后的模型虽然“读过很多书”，却不一定听得懂人的要求。于是研发团队会编写大量“指令和回答”样例，让模型学习如何按照用户的意图作答。比如，当用户说“用三句话总结这篇文章”时，模型应该真的只写三句话，而不是自顾自地续写下去。",
        "第四步是 RLHF，即基于人类反馈的强化学习。标注人员会对模型给出的多个回答进行比较和排序，这些偏好数据被用来训练一个奖励模型，再用强化学习的方法引导主模型生成更有帮助、更安全的回答。近年来也出现了一些不需要单独训练奖励模型的方法，例如直接偏好优化，工程上更简单，效果也不错。",
        "受访工程师普遍认为，数据质量仍然是决定模型上限的关键因素。“模型结构大家都差不多，真正拉开差距的，往往是数据配方和清洗流程。”一位工程师说。他们还提到，随着可用的高质量网页文本逐渐被用尽，合成数据和多语言数据正受到越来越多的重视。",
        "当然，训练大模型也带来了新的问题：版权归属如何界定、个人信息如何保护、能耗如何降低，都还没有统一答案。业内人士建议，开发者在收集数据时应当尊重网站的授权声明，对带有明确禁止条款的内容予以排除，并记录每一份数据的来源，方便日后审查。",
    ),
)

ZH_METRO = Article(
    "zh_metro",
    "zh",
    "青禾市地铁5号线今日开通运营",
    "2025-03-15",
    "本报记者 周屿",
    (
        "本报讯 今天上午九时，青禾市地铁5号线一期工程正式开通运营。这条线路全长约二十六公里，共设车站十九座，串联起城东的科技园区、老城区和城西的高铁站，是本市第一条贯穿东西方向的地铁干线。",
        "开通首日，不少市民早早来到车站体验。家住城东的退休教师刘阿姨说，过去她去城西看望外孙，要换乘两趟公交，路上差不多一个半小时，“现在坐地铁不到四十分钟，下午还能回家睡个午觉。”在科技园区上班的程序员小周则表示，早高峰终于不用再挤公交了，他打算以后把自行车停在车站，骑车加地铁通勤。",
        "据市轨道交通集团介绍，5号线采用六节编组的 A 型列车，最高运行速度每小时八十公里，高峰时段行车间隔约为四分钟。全线车站均设置了无障碍电梯、母婴室和自助售票机，乘客既可以使用交通卡，也可以通过手机扫码进站。部分车站还试点了“刷脸”过闸，但乘客需要事先在官方应用中自愿登记。",
        "为了方便换乘，5号线在人民广场站和高铁西站分别与1号线、3号线实现站内换乘。集团负责人表示，换乘通道的设计参考了乘客的实际步行路线，尽量减少上下楼梯的次数。对于行李较多的旅客，高铁西站还专门加宽了闸机通道。",
        "交通部门同时调整了沿线的十二条公交线路，部分与地铁高度重合的线路将缩短或取消，另有四条接驳线路将于下周一开通，主要服务距离车站较远的居民小区。市民可以通过交通部门的官方网站查询调整后的线路信息。",
        "按照规划，5号线二期工程预计三年后完工，届时线路将向东延伸至滨江新区。城市规划专家指出，地铁网络的完善不仅能缓解地面交通压力，也会带动沿线片区的商业和住房发展，但相关部门需要提前做好配套学校、医院和停车设施的规划，避免出现“车站通了、配套没跟上”的情况。",
    ),
)

ZH_NECK = Article(
    "zh_neck",
    "zh",
    "久坐办公族如何保护颈椎？康复科医生给出几条建议",
    "2025-03-13",
    "本报记者 许安然",
    (
        "随着远程办公和长时间使用电脑成为常态，颈肩酸痛已经成了不少上班族的“职业病”。市第二人民医院康复科的医生在接受采访时表示，近年来门诊中因颈椎不适就诊的年轻患者明显增多，其中不少人的年龄还不到三十岁。",
        "医生解释说，人的头部重量约为四到五公斤，当我们低头看手机或者探着脖子盯着屏幕时，颈椎所承受的压力会成倍增加。长期保持这种姿势，颈部肌肉持续紧张，椎间盘也会受到额外的挤压，久而久之就可能出现疼痛、僵硬，甚至手臂发麻等症状。",
        "怎样才能减轻颈椎负担？医生给出了几条简单易行的建议。首先是调整显示器高度，让屏幕上沿与视线大致平齐，屏幕与眼睛保持一臂左右的距离。使用笔记本电脑的人最好配一个支架和外接键盘，避免长时间低头。其次，椅子要能支撑腰背，双脚平放在地面上，膝盖与髋部大致保持同一高度。",
        "第三，也是最容易被忽视的一点：定时起身活动。医生建议每工作四十五分钟到一小时，就站起来走一走，做几个简单的颈部拉伸动作，比如缓慢地低头、抬头、左右转头，每个动作保持几秒钟。动作要轻柔，不要快速甩头，更不要让别人帮忙用力“掰”脖子。",
        "此外，适量的运动也能增强颈背部肌肉的力量。游泳、羽毛球、放风筝等需要经常抬头的运动，对缓解颈部疲劳都有一定帮助。睡眠方面，枕头不宜过高或过低，以仰卧时颈部自然贴合、侧卧时头部与身体保持一条直线为宜。",
        "医生同时提醒，如果颈部疼痛持续超过两周，或者伴有头晕、手指麻木、走路不稳等情况，应当及时到正规医院就诊，不要自行长期服用止痛药，也不要轻信所谓“一次根治”的推拿广告。",
    ),
)

ZH_BATTERY = Article(
    "zh_battery",
    "zh",
    "动力电池迎来“退役潮”，回收利用如何破题",
    "2025-03-14",
    "本报记者 韩书宁",
    (
        "近几年，新能源汽车销量快速增长，最早一批投入使用的动力电池也陆续进入“退役期”。业内普遍认为，动力电池的容量衰减到初始容量的百分之七十到八十左右时，就不再适合继续用于汽车，需要进行更换。如何处理这些退役电池，正在成为产业链上的一道新考题。",
        "从技术路线看，退役电池的去向主要有两条。一条是梯次利用：容量虽然下降，但状态仍然较好的电池，可以被拆解重组后用于储能电站、通信基站备用电源或者低速电动车。另一条是再生利用：对已经无法继续使用的电池进行拆解和化学处理，从中提取锂、钴、镍等有价值的金属，重新用于生产新电池。",
        "一位电池回收企业的技术负责人介绍，梯次利用的难点在于检测。同一批次的电池在不同车辆上经历的使用环境差别很大，有的常年在高温地区快充，有的只在城市里短途代步，剩余寿命相差悬殊。企业需要逐个检测电池的内阻、容量和一致性，再决定如何分组，这个过程耗时耗力，也直接影响成本。",
        "再生利用则面临环保和效率的双重要求。传统的火法冶炼能耗较高，湿法冶金虽然回收率更高，但会产生废液，需要配套完善的处理设施。近年来，一些企业开始尝试直接修复正极材料的新工艺，希望在降低能耗的同时提高资源利用率，不过这些技术大多还处在中试阶段。",
        "市场层面，正规回收企业还面临“小作坊”的竞争。一些不具备资质的回收点以更高的价格收购旧电池，简单拆解后转手，不仅存在安全隐患，还可能造成环境污染。业内人士呼吁，应进一步完善电池编码和溯源管理，让每一块电池从生产、使用到回收都有据可查。",
        "专家表示，随着退役电池数量逐年增加，回收利用有望形成一个规模可观的新产业。对普通车主来说，更换电池时选择正规渠道，保留好相关凭证，也是在为这个产业的健康发展出一份力。",
    ),
)

ZH_TOMATO = Article(
    "zh_tomato",
    "zh",
    "番茄炒蛋：一道家常菜的讲究",
    "2025-03-02",
    "作者：小满厨房",
    (
        "番茄炒蛋大概是很多人学会的第一道菜。它用料简单，做法也不复杂，但要做得好吃，其中还是有不少讲究。今天就和大家聊聊我在家里反复试验后总结出的几点心得。",
        "先说选料。番茄最好挑表皮红透、捏起来略软的，这样的番茄汁水多，炒出来酸甜浓郁。如果买到的番茄偏硬偏青，可以在室温下放一两天再用。鸡蛋则越新鲜越好，打散时加一小撮盐和几滴清水，炒出来的蛋会更蓬松嫩滑。",
        "再说切法。有人喜欢把番茄切成大块，吃起来有口感；也有人喜欢切得碎一些，方便出汁拌饭。我的做法是一半切块、一半切碎，这样既有完整的番茄块，又有浓稠的汤汁。如果不喜欢番茄皮，可以在顶部划个十字，用开水烫一下再剥皮。",
        "炒的时候，先把锅烧热，倒入比平时炒菜稍多一点的油，油温七成热时倒入蛋液。蛋液一入锅就会迅速膨胀，这时不要急着翻动，等底部凝固后再用铲子轻轻推散，炒到八成熟就盛出来。很多人把鸡蛋炒得太老，是因为在锅里停留的时间太长了。",
        "接着用锅里剩下的底油炒番茄。中火翻炒到番茄变软出汁，加入少许盐和一小勺糖。糖的作用不是让菜变甜，而是中和番茄的酸味，让味道更圆润。如果番茄本身不够红，可以加一点番茄酱提色，但不要加太多，以免抢了新鲜番茄的味道。",
        "最后把炒好的鸡蛋倒回锅中，和番茄一起翻炒几下，让蛋块充分裹上汤汁，撒上葱花即可出锅。整个过程不过十分钟左右，却能端出一盘颜色鲜亮、酸甜可口的下饭菜。",
        "至于番茄炒蛋到底该放糖还是放盐，南北方的朋友争论了很多年，其实并没有标准答案。家常菜最重要的是合自己家人的口味，多做几次，自然就能找到最喜欢的比例。",
    ),
)

ZH_DALI = Article(
    "zh_dali",
    "zh",
    "秋天的大理：慢下来的一周",
    "2025-02-20",
    "作者：山野旅人",
    (
        "十月中旬，我请了年假，带着一个背包去了大理。出发前朋友提醒我，旺季已经过去，天气会凉一些，但我反倒觉得，秋天正是这里最安静、最适合慢慢走的时候。",
        "到达的第一天，我住进了古城边上一家小客栈。老板是一位从外地搬来的年轻人，院子里种满了三角梅和多肉植物。他说自己原本在大城市做设计，后来厌倦了加班，就来这里开了这家店。晚上大家坐在院子里喝茶聊天，抬头就能看见满天星星，这是我在城市里很久没见过的景象。",
        "第二天我租了一辆电动车，沿着洱海西岸骑行。湖面很宽，远处的苍山在云雾里时隐时现。路边有不少村子，白墙青瓦的民居门口晒着玉米和辣椒。我在一个村口停下来，买了两个刚出炉的烤饵块，老板娘往里面抹了一层酱，又夹上一根油条，味道出乎意料地好。",
        "第三天去爬苍山。我没有选择缆车，而是沿着步道慢慢往上走。山里空气清冷，松林间偶尔能听到鸟叫。走到半山腰的步道时，整个洱海和古城尽收眼底，那一刻觉得之前的辛苦都值得了。提醒想去徒步的朋友，山上温差大，一定要带一件外套，鞋子也最好选防滑的。",
        "剩下的几天，我没有再安排什么行程，只是在古城里随便走走。早上去菜市场看当地人买菜，中午找一家小店吃一碗米线，下午在书店或者咖啡馆里坐上半天。有一次下了场小雨，我躲进一家扎染作坊，看店主演示怎样用植物染料染布，一块普通的白布在她手里慢慢变成深浅不一的蓝色。",
        "离开的那天早上，客栈老板送了我一小包当地的茶叶。回程的飞机上，我翻看这一周拍的照片，发现其中并没有什么特别的“打卡”景点，却记录下了许多让人放松的瞬间。也许旅行的意义，本来就不在于去了多少地方，而在于能不能让自己真正慢下来。",
    ),
)

ZH_SKY = Article(
    "zh_sky",
    "zh",
    "天空为什么是蓝色的？",
    "2025-03-05",
    "作者：科普小组",
    (
        "晴朗的白天，天空是蓝色的；到了傍晚，西边的天空又会染上橙红色。这些再熟悉不过的现象背后，其实藏着一个有趣的物理原理，叫做瑞利散射。",
        "太阳光看起来是白色的，但它实际上由红、橙、黄、绿、蓝、靛、紫等各种颜色的光混合而成，不同颜色的光波长不同。红光的波长较长，大约在七百纳米左右；蓝光和紫光的波长较短，约为四百多纳米。",
        "当阳光穿过大气层时，会与空气中的氮气、氧气分子发生作用。这些分子比光的波长小得多，在这种情况下，光被散射的强度与波长的四次方成反比。也就是说，波长越短的光，越容易被散射到四面八方。计算一下就会发现，蓝光被散射的程度大约是红光的五倍多。",
        "于是，当我们抬头望向天空中任何一个方向时，进入眼睛的都是被空气分子散射过来的光，而其中蓝光占了很大比例，天空自然就呈现出蓝色。那么，波长更短的紫光不是应该散射得更厉害吗？为什么天空不是紫色的？原因有两个：一是太阳光中紫光的成分本来就比蓝光少，一部分还在高层大气中被吸收了；二是人眼对蓝光比对紫光更敏感。两者综合起来，我们看到的就是蔚蓝色。",
        "日出和日落时，太阳位置很低，阳光需要斜着穿过更厚的大气层才能到达我们眼中。在这段漫长的路程里，蓝光在途中已经被散射掉了大部分，剩下的主要是波长较长的红光和橙光，所以朝霞和晚霞总是红彤彤的。",
        "云为什么是白色的呢？云由许多小水滴和冰晶组成，它们的尺寸与光的波长相当甚至更大，这时发生的是米氏散射，对各种颜色的光散射程度差不多，于是云看起来是白色的。当云层很厚时，光线难以穿透，云的底部就会显得灰暗，这往往意味着快要下雨了。",
        "如果有兴趣，你可以在家做一个小实验：在一杯清水中滴入几滴牛奶并搅匀，用手电筒从侧面照射，从侧面观察会看到淡淡的蓝色，而透过杯子正对手电筒看去，光线则偏向橙黄色。这正是天空颜色变化的一个缩小版。",
    ),
)

ZH_ASYNCIO = Article(
    "zh_asyncio",
    "zh",
    "Python 异步编程入门：从 asyncio 说起",
    "2025-01-18",
    "作者：阿木",
    (
        "写爬虫或者网络服务的时候，我们经常会遇到这样的问题：程序大部分时间都在等待网络响应，CPU 却闲着没事干。如果一个请求要等一秒，一百个请求按顺序执行就要一百秒。异步编程正是为了解决这类 I/O 密集型任务的效率问题。",
        "Python 从 3.4 版本开始引入 `asyncio` 标准库，3.5 版本又加入了 `async` 和 `await` 关键字，让异步代码写起来和普通代码差不多。简单来说，用 `async def` 定义的函数叫做协程函数，调用它并不会立即执行，而是返回一个协程对象；只有把它交给事件循环，或者在另一个协程里用 `await` 等待它，它才会真正运行。",
        "事件循环可以理解为一个调度员。当某个协程执行到等待网络请求的地方时，它会主动交出控制权，事件循环就去运行其他已经准备好的协程；等网络数据到达后，再回来继续执行原来的协程。整个过程只用一个线程，却能同时处理成百上千个连接。",
        "一个常见的写法是用 `asyncio.gather` 并发执行多个任务。比如要下载十个网页，可以先为每个网址创建一个协程，再把它们一起交给 `gather`，总耗时大约等于最慢的那个请求，而不是十个请求时间的总和。如果任务数量很多，还可以用 `asyncio.Semaphore` 限制同时进行的请求数，避免给对方服务器造成太大压力。",
        "初学者最容易踩的坑，是在协程里调用了阻塞的函数。例如在 async 函数中使用 `time.sleep` 或者同步的 requests 库，会让整个事件循环停下来等待，其他协程也全都被卡住。正确的做法是使用 `asyncio.sleep`，以及支持异步的网络库；实在需要调用阻塞代码时，可以用 `asyncio.to_thread` 把它放到线程池里执行。",
        "另一个需要注意的地方是异常处理。`gather` 默认在某个任务出错时会把异常抛出来，但其他任务仍在继续运行。如果希望收集所有结果而不是中途失败，可以传入 `return_exceptions=True`，再逐个检查返回值。",
        "异步编程并不是万能的。对于大量数值计算这样的 CPU 密集型任务，它几乎没有帮助，这时应该考虑多进程或者把计算交给 GPU。但在网络请求、数据库访问、文件读写这些场景下，合理使用 asyncio，往往能让程序的吞吐量提高一个数量级。",
    ),
)

ZH_RAG = Article(
    "zh_rag",
    "zh",
    "用 RAG 给大模型接上“外部记忆”",
    "2025-02-08",
    "作者：阿木",
    (
        "大语言模型的知识来自训练数据，训练一结束，它的知识就“冻结”了。问它昨天发生的新闻，或者公司内部的规章制度，它要么答不上来，要么一本正经地编造答案。检索增强生成，也就是 RAG，是目前解决这个问题最常用的办法之一。",
        "RAG 的思路并不复杂：先把资料切分成小段，用 embedding 模型把每一段转换成向量，存进向量数据库；用户提问时，同样把问题转换成向量，找出最相似的几段资料，再把这些资料和问题一起拼进 prompt，交给大模型生成回答。这样一来，模型回答时就有了可以参考的“开卷材料”。",
        "在实践中，切分方式对效果的影响很大。段落切得太长，检索到的内容里无关信息太多，还会占用宝贵的上下文窗口；切得太短，又容易把一句完整的意思拆散。比较稳妥的做法是按照标题和段落的自然结构来切，每段控制在几百个 token 以内，相邻段落之间保留少量重叠。",
        "检索环节同样有讲究。单纯依靠向量相似度，有时会漏掉包含关键专有名词的段落，因此不少团队会把向量检索和传统的关键词检索结合起来，再用一个重排序模型对候选结果打分。这样做虽然多了一步计算，但召回的准确率通常能明显提升。",
        "还有一个容易被忽略的问题是评估。很多项目上线时只凭几个示例“感觉不错”，等到用户量上来才发现各种问题。建议在开发阶段就准备一套包含标准答案的测试问题，分别评估检索是否找到了正确的资料、生成的回答是否忠实于资料，以及回答是否真正解决了用户的问题。",
        "最后要提醒的是，RAG 并不能完全消除模型的“幻觉”。如果检索到的资料本身有错，或者模型没有认真参考资料，回答仍然可能出错。在对准确性要求很高的场景中，最好让模型在回答时附上引用来源，方便用户核对。",
    ),
)

ZH_GIT = Article(
    "zh_git",
    "zh",
    "团队协作中的 Git 分支管理实践",
    "2025-03-01",
    "作者：阿木",
    (
        "刚开始用 Git 的时候，很多人只会 add、commit、push 三板斧，所有改动都直接提交到主分支上。一个人写项目时问题不大，可一旦团队里有三五个人同时开发，冲突和混乱就接踵而至。合理的分支管理策略，是团队协作顺畅的基础。",
        "最简单也最常用的一种做法，是所谓的“功能分支”工作流：主分支始终保持可以发布的状态，每开发一个新功能或修复一个问题，就从主分支拉出一个新分支，开发完成后通过合并请求合回主分支。分支名最好能看出用途，例如 `feature/login-page` 或 `fix/date-format`，方便其他人一眼看懂。",
        "合并请求是代码评审的好时机。提交者应当在描述中说明改了什么、为什么改、如何测试；评审者则重点关注逻辑是否正确、有没有遗漏边界情况，而不是纠结于个人的代码风格偏好。风格问题最好交给自动格式化工具和持续集成来统一检查，比如 Python 项目可以用 ruff，前端项目可以用 prettier。",
        "分支的生命周期应该尽量短。一个分支如果开发了两三周还没合并，主分支上往往已经有了大量新提交，最后合并时冲突会非常多。建议把大功能拆成几个可以独立合并的小改动，必要时用功能开关把尚未完成的代码隐藏起来。",
        "关于合并方式，团队内部要有统一的约定。有的团队喜欢用 squash 把一个分支的多次提交压缩成一个，让主分支的历史更整洁；有的团队则保留完整的提交记录，方便追溯每一步修改。两种方式各有利弊，关键是大家保持一致。",
        "最后，提交信息也值得认真对待。“修改了一些东西”这样的提交信息，几个月后连作者自己都看不懂。一条好的提交信息应该用一句话概括改动内容，必要时再空一行补充原因和背景。养成这个习惯，未来排查问题时会轻松很多。",
    ),
)

ZH_KIDS = Article(
    "zh_kids",
    "zh",
    "孩子学编程，家长最关心的五个问题",
    "2025-03-09",
    "本网记者 宋知遥",
    (
        "这几年，少儿编程课在不少城市流行起来。周末的培训机构里，常常能看到七八岁的孩子对着电脑拖动积木块，让屏幕上的小猫走迷宫。不少家长一边心动，一边又有疑虑：孩子到底有没有必要这么早学编程？我们整理了家长问得最多的五个问题，请几位一线教师来谈谈他们的看法。",
        "第一个问题：多大开始学比较合适？老师们普遍认为，年龄不是最关键的因素，更重要的是孩子是否具备基本的阅读能力和专注力。低年级的孩子可以从图形化编程入手，通过拼搭积木的方式理解顺序、循环和条件判断；到了十岁左右，再逐步过渡到 Python 这样的文本编程语言。",
        "第二个问题：学编程会不会影响文化课？一位有十年教龄的信息技术老师说，编程本身就会用到数学和语文。孩子要把一个问题拆成若干小步骤，要读懂题目描述，还要计算角度和坐标，这些都是在锻炼综合能力。关键是控制好时间，每周一到两次课就足够了，不要让兴趣变成负担。",
        "第三个问题：在家能不能自学？答案是可以。现在有很多免费的在线平台和开源工具，家长即使不懂编程，也可以陪孩子一起看教程、一起完成小项目。老师建议从孩子感兴趣的主题出发，比如做一个小游戏、画一幅会动的画，比照着课本一步步做练习更能保持热情。",
        "第四个问题：要不要参加比赛和考级？老师们的意见不太一致。有人认为比赛能激励孩子、检验学习成果；也有人担心过早追求名次，会让孩子只会背题型而不会独立思考。比较一致的看法是，比赛可以参加，但不要把它当成学习的唯一目的。",
        "第五个问题：现在有了 AI 写代码，孩子还需要学编程吗？几位老师都认为仍然需要。学编程的核心并不是记住语法，而是学会把复杂问题拆解开来、一步步验证自己的想法。即使将来很多代码由 AI 生成，人们也需要判断它写得对不对，知道该怎样向它提出清楚的要求。",
    ),
)

ZH_BALCONY = Article(
    "zh_balcony",
    "zh",
    "在阳台上种菜：新手入门指南",
    "2025-03-03",
    "作者：青菜豆腐",
    (
        "住在城市里，很多人都有一个小小的田园梦。其实，只要有一个朝南或者朝东的阳台，就可以种出不少新鲜蔬菜。去年春天，我开始在自家不到四平方米的阳台上尝试种菜，一年下来收获了小葱、生菜、番茄和辣椒，也踩过不少坑。",
        "首先要观察光照。大多数蔬菜每天需要至少四到六个小时的直射阳光，番茄、辣椒这类结果实的蔬菜需要的光照更多。如果阳台朝北，光线不足，可以优先选择生菜、菠菜、薄荷这些比较耐阴的品种。",
        "其次是容器和土壤。刚开始不必买昂贵的种植箱，旧的泡沫箱、塑料桶都可以用，只要在底部打几个排水孔就行。土壤最好用专门的营养土，而不是直接从小区花坛里挖土，后者往往板结、贫瘠，还可能带有虫卵。番茄、辣椒的根系较深，容器深度最好在三十厘米以上。",
        "浇水是新手最容易出错的地方。很多人怕植物渴着，天天浇水，结果根部长期泡在水里，反而烂掉了。正确的方法是“见干见湿”：用手指插进土里两三厘米，感觉干了再浇，而且要一次浇透，直到底部有水流出。夏天蒸发快，可能需要早晚各浇一次；冬天则可以几天浇一次。",
        "施肥方面，我主要用的是自制的堆肥。把择菜剩下的菜叶、果皮和咖啡渣放进带盖的桶里，加一些干树叶，定期翻动，两三个月后就能得到松软的有机肥。需要注意的是，肉类和油腻的剩饭不要放进去，否则容易发臭、招虫子。",
        "病虫害也是绕不开的话题。阳台通风不好时，蚜虫和白粉病比较常见。发现少量蚜虫可以直接用水冲掉，或者用稀释的肥皂水喷洒；叶片上出现白色粉状斑点时，要及时剪掉病叶，并加强通风。尽量不要使用农药，毕竟我们种菜的初衷就是吃得放心。",
        "阳台种菜的产量当然比不上菜市场，但每天下班回家看看新长出来的叶子，周末摘一把自己种的生菜做沙拉，那种满足感是买菜无法替代的。如果你也有一个空闲的阳台，不妨从一盆小葱开始试试。",
    ),
)

ZH_TEA = Article(
    "zh_tea",
    "zh",
    "一杯茶里的四季",
    "2025-02-26",
    "作者：闲云",
    (
        "在中国人的生活里，茶大概是最常见、也最容易被忽略的一样东西。早上起来泡一杯，午饭后再续一壶，客人来了先端上一杯热茶，这些习惯代代相传，很少有人会专门去想它们从何而来。",
        "按照加工方式的不同，茶通常被分为绿茶、白茶、黄茶、青茶、红茶和黑茶六大类。绿茶不经过发酵，保留了茶叶本身的清香；红茶经过充分发酵，滋味醇厚甜润；青茶也就是常说的乌龙茶，介于两者之间，香气层次丰富。不同的加工工艺，让同一种茶树的叶子呈现出截然不同的风味。",
        "喝茶也讲究时令。春天万物生发，新采的绿茶鲜嫩清爽，正好尝个“鲜”；夏天天气炎热，不少人喜欢喝白茶或者淡一些的绿茶消暑；秋天干燥，香气馥郁的乌龙茶很受欢迎；到了冬天，温润的红茶和陈年的黑茶则能带来暖意。当然，这些只是习惯上的说法，喝什么茶最终还是要看个人口味和身体状况。",
        "泡茶的方法也因茶而异。细嫩的绿茶不宜用滚开的水直接冲泡，水温在八十度左右比较合适，否则茶叶容易被烫熟，口感发苦；乌龙茶和黑茶则适合用沸水，并且可以多次冲泡，每一泡的滋味都略有变化。有经验的人还会根据茶叶的松紧程度来调整投茶量和出汤时间。",
        "茶不仅是一种饮品，也是一种社交方式。在很多地方，朋友相聚喝茶聊天，一坐就是一下午；商务洽谈时，一壶茶也能让气氛缓和下来。南方一些城市的早茶文化更是把喝茶和美食结合在一起，一家人围坐一桌，点上几笼点心，边吃边聊，慢慢度过一个周末的早晨。",
        "如今，年轻人喝茶的方式也在变化。奶茶店、冷泡茶、茶咖啡层出不穷，有人担心传统茶文化会因此被冲淡，也有人认为这是茶以新的面貌走进年轻人的生活。或许，无论是用紫砂壶细细品味，还是捧着一杯冰镇的果茶，只要能从中得到片刻的放松，就都是喝茶的意义。",
    ),
)

ZH_MARATHON = Article(
    "zh_marathon",
    "zh",
    "从零基础到半程马拉松：一份十二周训练思路",
    "2025-03-10",
    "作者：跑者老何",
    (
        "最近几年，城市马拉松赛事越来越多，身边跑步的朋友也越来越多。不少人看着朋友圈里的完赛照片跃跃欲试，却不知道从哪里开始。如果你平时很少运动，直接报名全程马拉松并不明智，半程马拉松是一个更合适的目标。下面这份十二周的训练思路，适合身体健康、能够连续快走半小时的初学者参考。",
        "第一到第四周是适应期。这个阶段的目标不是跑得快，而是让身体习惯跑步的节奏。可以采用跑走结合的方式，比如跑两分钟、走一分钟，重复八到十组，每周练习三次。跑步时的强度以能够一边跑一边说完整的句子为宜，如果喘得说不出话，说明速度太快了。",
        "第五到第八周是基础期。逐渐减少走路的时间，争取能够连续慢跑三十到四十分钟。每周安排一次稍长距离的慢跑，从六公里开始，每周增加一公里左右。其余的日子可以安排力量训练，比如深蹲、弓步和平板支撑，增强腿部和核心的力量，能有效减少受伤的风险。",
        "第九到第十一周是提升期。周末的长距离慢跑可以逐步增加到十五至十八公里，同时在平日加入一次节奏跑，也就是用比平时稍快、但仍然可以坚持的速度跑二十分钟左右。这个阶段身体会比较疲劳，一定要保证睡眠，饮食上适当增加碳水化合物和蛋白质的摄入。",
        "第十二周是减量期。比赛前一周要大幅减少训练量，只保留几次轻松的短距离慢跑，让身体充分恢复。比赛前一天不要尝试新的食物，提前检查好号码布、计时芯片和跑鞋，早点休息。",
        "比赛当天，起跑时最容易犯的错误是跟着人群冲得太快。建议前五公里有意放慢速度，中段保持稳定，如果最后几公里还有余力再适当加速。沿途的补给站要合理利用，少量多次地喝水，不要等到口渴才补充。",
        "最后需要强调的是，每个人的身体条件不同，训练计划只是一个参考。如果训练中出现膝盖、脚踝持续疼痛，应当及时停下来休息，必要时咨询医生。完成一次半程马拉松值得骄傲，但健康地享受跑步，才是更长久的收获。",
    ),
)

ZH_WEATHER = Article(
    "zh_weather",
    "zh",
    "青禾市气象台发布春季天气展望",
    "2025-03-20",
    "本报记者 周屿",
    (
        "青禾市气象台今天发布春季天气展望。预计今年三月到五月，本市平均气温较常年同期偏高零点五到一摄氏度，降水量接近常年。三月中下旬仍可能出现倒春寒天气，气温起伏较大，市民应注意适时增减衣物。",
        "四月进入多雨季节，雷阵雨和短时强降水将明显增多，气象部门提醒各区提前做好城市排水和农田管理工作。五月以后，随着气温快速升高，局部地区可能出现首次高温天气。",
        "气象专家建议，有花粉过敏史的市民在春季外出时佩戴口罩，并关注每日发布的花粉浓度预报。",
    ),
)

EN_TOKENS = Article(
    "en_tokens",
    "en",
    "What Is a Token, Anyway? A Friendly Look at Tokenizers",
    "2025-03-11",
    "By Mara Lindqvist",
    (
        "If you have used a large language model through an API, you have probably been billed by the token. Pricing pages talk about input tokens and output tokens, context windows are measured in tokens, and error messages complain when you exceed a token limit. Yet the token itself is rarely explained. It is not a word, not a character and not a byte, but something in between.",
        "A tokenizer is the component that turns raw text into a sequence of integers that a model can process. Before a model such as GPT-4, or any other Transformer, can read a sentence, that sentence has to be cut into pieces, and each piece has to be looked up in a fixed vocabulary. The vocabulary usually contains somewhere between thirty thousand and two hundred thousand entries. Every entry is a token, and every token has an ID.",
        "Why not simply use words? Because the set of possible words is effectively unlimited. New names, typos, hashtags, chemical formulas and source code identifiers appear every day. A word-level vocabulary would either be enormous or would have to replace anything unfamiliar with a generic unknown symbol, throwing information away. Character-level models avoid that problem, but they produce very long sequences, which makes training slow and expensive.",
        'Most modern systems use subword tokenization, and the most popular flavour is byte pair encoding, usually shortened to BPE. The idea is surprisingly simple. Start with a vocabulary of individual bytes. Count which pair of adjacent symbols occurs most often in a large training corpus, merge that pair into a new symbol and add it to the vocabulary. Repeat this thousands of times. Frequent words such as "the" end up as a single token, while rare words are split into a few familiar chunks. A made-up word like "datamillify" might become "data", "mill" and "ify".',
        "Because BPE starts from bytes, it can represent any input at all, including emoji and text in any script. That does not mean every language is treated equally. A tokenizer trained mostly on English will need more tokens to encode the same sentence in Chinese, Hindi or Amharic, and a Chinese character that appears rarely in the training data may be split into two or three byte-level tokens. In practice this means that people writing in under-represented languages pay more per sentence and fit less text into the same context window.",
        "Tokenization also explains some of the odd failures of language models. Ask a model to count the letters in a long word and it may stumble, because it never sees the individual letters, only a handful of chunks. Arithmetic on long numbers can be fragile for the same reason: 1234567 might be split into 123, 456 and 7, and the model has to learn how those pieces relate to each other.",
        "When you build a training data pipeline, the tokenizer matters in practical ways too. Token counts are the natural unit for measuring a dataset, for deciding how to mix sources and for estimating how much GPU time a training run will need. Deduplication and quality filters usually run on text, but the final budget is almost always expressed in tokens.",
        "A quick rule of thumb for English prose is that one token corresponds to about three quarters of a word, so a thousand tokens is roughly seven hundred and fifty words. For code, Chinese text or heavily formatted documents the ratio can be very different, so if the number matters, run the actual tokenizer rather than guessing.",
    ),
)

EN_SOURDOUGH = Article(
    "en_sourdough",
    "en",
    "Sourdough at Home Without the Stress",
    "2025-03-08",
    "By Tomasz Reyes",
    (
        "Sourdough has a reputation for being fussy. Recipes online come with schedules measured to the minute, precise hydration percentages and warnings about everything that can go wrong. After baking a loaf almost every weekend for three years, I have come to believe that most of that anxiety is unnecessary. Bread is forgiving, and a relaxed baker usually ends up with better results than a nervous one.",
        "Everything starts with the starter, a jar of flour and water colonised by wild yeast and lactic acid bacteria. You can make one from scratch in about a week by mixing equal weights of flour and water each day and discarding half of the old mixture. Wholegrain rye or wheat flour speeds things up because it carries more of the microbes you want. The starter is ready when it reliably doubles in size within six to eight hours of feeding and smells pleasantly sour, a little like yoghurt.",
        "For a basic loaf, mix 500 grams of bread flour with 350 grams of water and let it rest for half an hour. This pause, often called the autolyse, lets the flour absorb the water and makes the dough easier to handle. Then add 100 grams of active starter and 10 grams of salt, and squeeze everything together with a wet hand until no dry flour remains.",
        "Over the next few hours, instead of kneading, give the dough a series of gentle stretches and folds. Every half hour, lift one side of the dough, stretch it upwards and fold it over the top, then turn the bowl and repeat on the other sides. Four or five rounds are usually enough. You will notice the dough changing from a shaggy lump into something smooth, elastic and full of small bubbles.",
        "The bulk fermentation is finished when the dough has grown by about half, feels airy and jiggles when you shake the bowl. Timing depends heavily on the temperature of your kitchen. In a warm summer kitchen this might take four hours; in winter it can take eight or more. Watch the dough rather than the clock.",
        "Shape the dough into a tight round, place it seam side up in a floured basket or a bowl lined with a tea towel, and leave it in the fridge overnight. The cold slows fermentation, develops flavour and makes the loaf much easier to score the next morning.",
        "To bake, preheat your oven with a heavy lidded pot inside to 250 degrees Celsius. Turn the dough out onto a piece of baking paper, cut a single confident slash across the top and lower it into the hot pot. Bake for twenty minutes with the lid on, so the steam trapped inside helps the loaf expand, then remove the lid and bake for another twenty to twenty-five minutes until the crust is deeply browned.",
        "The hardest step is the last one: waiting at least an hour before cutting. The inside is still cooking as it cools, and slicing too early leaves the crumb gummy. Use the time to clean up, feed your starter and plan next week's loaf.",
    ),
)

EN_RAIL = Article(
    "en_rail",
    "en",
    "Slow Train to the Coast: Notes from a Two-Day Rail Journey",
    "2025-02-27",
    "By Ines Achterberg",
    (
        "There is a particular pleasure in choosing the slow option on purpose. When I told friends I planned to cross the country by regional train rather than take the one-hour flight, most of them assumed I had made a mistake with the booking. I had not. I wanted two days of watching the landscape change through a window, with nothing to do but read, eat and look.",
        "The journey began at Ashford Vale, a market town whose station still has a wooden canopy and a ticket office staffed by an actual person. The first train was a two-carriage diesel unit that rattled gently along a river valley. Most of the other passengers were local: students heading to college, a farmer carrying a box of eggs for his sister, a pair of hikers studying a paper map.",
        "By late morning the valley narrowed and the line began to climb. The train slowed to walking pace on the steepest sections, and for almost an hour the view alternated between dense pine forest and sudden openings where the whole valley fell away below us. At a tiny request stop called Holloway Crossing, the guard stepped down to help an elderly woman with her shopping trolley, then waved to the driver and climbed back on. Nobody seemed to be in a hurry.",
        "I spent the night in Kellan Bridge, a former mill town at the top of the pass. The guesthouse near the station was run by a retired signal engineer who was delighted to explain, at great length, how the old mechanical signalling system worked. Dinner was a thick vegetable stew and a slice of apple cake, eaten in a dining room decorated with framed timetables from the nineteen fifties.",
        "The second day was entirely downhill, in every sense. The line followed a chain of lakes, each a slightly different shade of grey-green under a low sky. I changed trains twice, both times with a comfortable connection, and at each change there was a small kiosk selling coffee and sandwiches. I had brought a novel, but I barely opened it.",
        "The final stretch ran along the coast, so close to the water in places that spray from the waves reached the windows. We arrived at Port Merrow in the early evening, a little over thirty hours after I had set out. The fare for the whole trip, bought a few weeks in advance, was less than the cost of the flight once luggage fees were added.",
        "Rail travel of this kind is not for everyone. It requires patience, a flexible schedule and a willingness to accept that some connections will be missed. But it offers something that faster transport cannot: a sense of the distance you have covered, and a chance to see the ordinary life of the places in between. I am already planning the return journey.",
    ),
)

EN_TIDES = Article(
    "en_tides",
    "en",
    "Why Are There Two High Tides a Day?",
    "2025-03-04",
    "By the Example Science Explained team",
    (
        "Anyone who has spent time at the seaside knows that the water comes and goes roughly twice a day. What is less obvious is why there are two high tides rather than one. The Moon pulls on the ocean, so it seems natural to expect a single bulge of water on the side of the Earth facing the Moon. The real explanation is a little more subtle, and it says something interesting about how gravity works.",
        "Gravity gets weaker with distance. The side of the Earth facing the Moon is about twelve thousand kilometres closer to it than the far side, so the Moon pulls on the near side slightly more strongly than it pulls on the centre of the Earth, and on the centre slightly more strongly than on the far side. What matters for the tides is not the total pull but these differences, which physicists call the tidal force.",
        "On the near side, the ocean is pulled towards the Moon a little more than the solid Earth beneath it, so the water heaps up. On the far side, the solid Earth is pulled towards the Moon a little more than the ocean, so the water is effectively left behind and heaps up there too. The result is two bulges, one facing the Moon and one facing away from it.",
        "As the Earth rotates, any given stretch of coastline passes through both bulges, which is why most places see two high tides and two low tides in a day. Because the Moon is also moving along its orbit in the same direction as the Earth spins, it takes a little longer than twenty-four hours for a point on the Earth to return to the same position relative to the Moon. That is why high tide arrives about fifty minutes later each day.",
        "The Sun produces tides as well. It is vastly more massive than the Moon but also much farther away, and because tidal force falls off with the cube of distance, the solar effect is a bit less than half that of the Moon. When the Sun, Moon and Earth line up, at new moon and full moon, the two effects add together and produce the large spring tides. When they are at right angles, at the quarter moons, they partly cancel and produce the smaller neap tides.",
        "Real coastlines complicate this neat picture considerably. The oceans are not a uniform layer of water covering a smooth planet; they slosh around in basins of complicated shape, with continents in the way. Some places, such as long funnel-shaped bays, amplify the tide dramatically, while others see almost none. A few locations even have only one high tide a day, because the shape of the basin favours a different rhythm.",
        "Tide tables are therefore not computed from first principles. Instead, scientists measure the water level at a harbour for a long period, break the record down into dozens of regular components linked to the motions of the Moon and Sun, and use those components to predict future tides. The method is more than a century old and still works remarkably well.",
    ),
)

EN_CAFE = Article(
    "en_cafe",
    "en",
    "A Small Café on Market Lane",
    "2025-02-14",
    "By Hollis Grant",
    (
        "For eleven years the little café at the bottom of Market Lane has opened at seven every morning, rain or shine. It has six tables, a counter made from an old school workbench, and a chalkboard menu that changes according to whatever the owner found at the market that week. Regulars joke that the only constant is the smell of cinnamon.",
        'The owner trained as a pastry cook before deciding that she preferred talking to customers over working nights in a hotel kitchen. She says the business plan she wrote at the start was hopelessly naïve. "I assumed people would come for the cakes," she laughs. "Actually they come because it is warm, the coffee is decent and nobody rushes them."',
        'Prices have crept up, as they have everywhere. A flat white now costs £3.20 and a slice of the famous lemon cake £3.75, compared with £2.10 and £2.50 when the café opened. The owner is open about why: milk, butter and energy all cost far more than they used to, and the rent on the lane has risen twice in five years. Even so, she has kept a "pay it forward" jar by the till, where customers can leave coins towards a hot drink for someone who cannot afford one.',
        "The menu is short and unfussy. Breakfast is porridge with stewed fruit, or eggs on toast with a choice of mushrooms or spinach. At lunch there is always a soup, usually a thick lentil or a roasted tomato, and a sandwich of the day. On Fridays a crème brûlée appears in the fridge, and it is usually gone by two o'clock.",
        "What makes the place work, according to the regulars, is its atmosphere. Students from the college up the road sit for hours over a single pot of tea. A group of retired men meets every Tuesday to argue about football. Parents with pushchairs know there is room to park them by the window. The façade has not been repainted in years, and nobody seems to mind.",
        "The café has also become a small hub for the neighbourhood. The noticeboard by the door carries adverts for piano lessons, lost cats and a weekly knitting circle. When the lane flooded two winters ago, the café stayed open with a gas stove and candles, serving free soup to anyone whose kitchen was out of action.",
        'Asked whether she would ever open a second branch, the owner shakes her head. "It would not be the same place," she says. "You cannot copy this. It only works because it grew slowly, one customer at a time." She pours another coffee, stirs ½ a teaspoon of cinnamon into the milk out of habit, and goes back to the counter.',
    ),
)

EN_TESTABLE = Article(
    "en_testable",
    "en",
    "Writing Python Code That Is Easy to Test",
    "2025-02-21",
    "By Mara Lindqvist",
    (
        'Most developers agree that tests are valuable, and most developers have also stared at a function and thought, "I have no idea how to test this." Usually the problem is not the test framework or a lack of discipline. It is that the code was written in a way that makes testing awkward. A few habits, applied while you write the code rather than afterwards, make a large difference.',
        "The first habit is to separate decisions from side effects. A function that reads a file, parses it, applies some business rules and then writes the result to a database is hard to test, because every test has to set up a file and a database. Split it into a pure function that takes the parsed data and returns the result, plus a thin outer layer that handles input and output. The pure function can be tested with plain Python values in a few lines.",
        "The second habit is to pass dependencies in rather than reaching out for them. If a function reads the current time, generates random numbers or talks to a web API, accept those things as parameters with sensible defaults. A function that takes a clock argument can be tested with a fixed date; a function that takes a random number generator can be tested with a seeded one. This is the same idea as dependency injection, without any framework.",
        "The third habit is to keep functions small and give them honest names. A function called `clean_text` that also deduplicates records and uploads results to cloud storage will surprise everyone, including its author six months later. When each function does one thing, each test can check one thing, and a failing test points straight at the problem.",
        "Fourth, prefer returning values over mutating arguments. A function that modifies a list passed in by the caller forces the test to inspect that list after the call, and it can create confusing bugs when the same list is shared elsewhere. Returning a new value is easier to reason about and easier to assert on.",
        "Fifth, make failure explicit. Instead of returning `None` in some cases and an empty string in others, raise a specific exception or return a small result object that says what went wrong. Tests can then check both the happy path and the error path, and callers cannot silently ignore problems.",
        "Finally, write a test as soon as you find a bug. Reproduce the bug in a test that fails, fix the code, and watch the test pass. Over time this builds a safety net around exactly the parts of the code that turned out to be fragile. In a data pipeline, where a malformed record or an unexpected encoding can turn up at any moment, that safety net is worth far more than the few minutes it takes to write each test.",
        "None of this requires a particular library. pytest makes tests pleasant to write, but the design choices above matter more than the tool. Code that is easy to test tends to be easy to read, easy to change and easy to reuse, which is a good reason to adopt these habits even on projects that have no tests yet.",
    ),
)

EN_BIKES = Article(
    "en_bikes",
    "en",
    "Council Approves Protected Bike Lanes for Riverside Avenue",
    "2025-03-12",
    "By Priya Castellano, Local Affairs Reporter",
    (
        "Elmsworth town council voted on Tuesday evening to build protected bike lanes along the full length of Riverside Avenue, ending a debate that has run for almost two years. The plan passed by seven votes to four after a three-hour meeting that drew more than a hundred residents to the council chamber.",
        "Under the approved design, each side of the avenue will get a two-metre cycle lane separated from traffic by a raised kerb and a row of planters. The number of general traffic lanes will fall from four to two, with a central turning lane at the busiest junctions. About sixty on-street parking spaces will be removed, though the council says most will be replaced in a new car park behind the library.",
        'Supporters argued that the avenue, which links the town centre with the railway station and two secondary schools, is currently too dangerous for most people to cycle. Council figures show twenty-three collisions involving cyclists on the road over the past five years, four of them serious. "Parents tell us they would let their children ride to school if it felt safe," one councillor said during the debate. "This is how we make it safe."',
        "Opponents, including several shop owners, worried that losing parking and traffic lanes would drive customers away and push congestion onto side streets. A petition against the plan collected just over two thousand signatures. The council responded by adding loading bays at the end of each block and promising to monitor traffic on nearby residential roads for a year after the lanes open.",
        "The project is expected to cost 4.2 million pounds, with roughly two thirds covered by a regional transport grant. Construction will be split into three phases to limit disruption, starting with the section between the station and the bridge next spring. The whole route is due to be finished within eighteen months.",
        "Similar schemes in neighbouring towns have produced mixed early results. In one, cycling along the upgraded corridor tripled within a year and shop vacancy rates fell; in another, a poorly signposted design caused confusion at junctions and had to be partly rebuilt. Elmsworth officials say they have studied both examples closely and will hold drop-in sessions for residents before each phase begins.",
        'For now, both sides are bracing for a long construction period. "We will be watching the numbers very carefully," said the chair of the local business association, who had spoken against the plan. "If footfall drops, we will be back in this chamber asking for changes."',
    ),
)

EN_HERONS = Article(
    "en_herons",
    "en",
    "Herons Return to the Old Quarry Lake",
    "2025-03-14",
    "By Owen Marchetti, Environment Correspondent",
    (
        "For the first time in more than a decade, a small colony of grey herons has nested at the flooded quarry on the edge of Elmsworth, volunteers from the local wildlife group confirmed this week. At least five nests have been spotted high in the willows on the lake's northern shore, and the group believes several already contain chicks.",
        "The quarry closed in the nineteen nineties and slowly filled with rainwater. For years it was best known as a place for illegal dumping, but a long-running clean-up effort by volunteers has transformed it. Tonnes of rubbish have been removed, native trees planted along the banks and a simple boardwalk built across the marshy southern end.",
        'Herons are sensitive to disturbance during the breeding season, and the wildlife group is asking visitors to stay on the marked paths and keep dogs on leads. A temporary screen has been put up near the nesting trees so that people can watch the birds without being seen. "They are easily spooked," explained one volunteer, who has been monitoring the site every morning since early March. "If they feel threatened, they may abandon the nest, and then the whole season is lost."',
        "The return of the birds is seen as a sign that the lake's ecosystem is recovering. Herons feed mainly on fish and amphibians, so a nesting colony suggests there is now enough prey to support them. Surveys carried out last summer found perch, roach and a healthy population of frogs and newts, none of which had been recorded at the site ten years ago.",
        "Local schools have already taken an interest. Two primary classes have visited the viewing screen as part of a project on wetland habitats, and the children have been keeping a diary of what they see. The wildlife group hopes to install a camera near the colony next year, with a live feed shown in the library.",
        "Volunteers are also keen to hear from anyone who remembers the colony that nested at the quarry before it disappeared. Old photographs, notes or simply memories of when the birds were last seen would help the group understand why they left and what conditions have brought them back. Contributions can be dropped off at the library or sent through the group's website.",
        "The quarry is owned by the town council, which is considering whether to designate it a local nature reserve. Such a designation would give the site extra protection from development and make it easier to apply for conservation funding. A public consultation is expected to open in the autumn.",
    ),
)

EN_BUDGET = Article(
    "en_budget",
    "en",
    "A Simple Budget That Actually Lasts",
    "2025-01-06",
    "By Dana Okafor",
    (
        "Every January, plenty of people resolve to get their finances in order, download a budgeting app, categorise every purchase for three weeks and then quietly give up. The problem is rarely a lack of willpower. Most budgets fail because they are too detailed to maintain and too rigid to survive an ordinary month, with its birthdays, broken appliances and unexpected bills.",
        "A simpler approach starts from three numbers rather than thirty categories. First, work out your fixed costs: rent or mortgage, utilities, insurance, loan repayments and any subscriptions you genuinely intend to keep. Second, decide how much you want to save each month, even if the amount is small. Whatever is left after those two numbers is what you can spend freely, on food, transport, clothes and fun.",
        "The key trick is to move the savings amount automatically on the day you are paid, before you have a chance to spend it. Set up a standing order to a separate account, ideally at a different bank so that the money is slightly inconvenient to reach. People consistently save more when saving is the default rather than something they have to remember to do.",
        "For the flexible spending, divide the monthly amount by the number of weeks and keep an eye on that weekly figure. Checking once a week is far more sustainable than tracking every coffee, and it gives you time to adjust. If one week runs over because of a friend's wedding, the next week can be quieter without any sense of failure.",
        "It also helps to plan for irregular costs that are not truly unexpected. Car repairs, annual subscriptions, school trips and holiday gifts come around every year, even if not every month. Add up roughly what these cost over a year, divide by twelve and put that amount aside each month into a separate pot. When the bill arrives, it is an inconvenience rather than a crisis.",
        "An emergency fund is the other foundation. Financial planners often suggest holding three to six months of essential expenses in easily accessible savings. That can sound impossible at first, but building it slowly is fine. Even one month of expenses set aside changes how a job loss or a large bill feels.",
        "Finally, review the whole picture two or three times a year rather than every week. Incomes change, rents go up, children grow older and priorities shift. A budget is not a contract with yourself; it is a tool, and like any tool it should be adjusted to fit the job. The best budget is not the most precise one, but the one you are still using in December.",
    ),
)

EN_COMPOST = Article(
    "en_compost",
    "en",
    "Composting in a Small Garden",
    "2025-02-03",
    "By the Example Gardeners' Circle",
    (
        "A compost heap is one of the most useful things a gardener can build, and it costs almost nothing. It turns kitchen scraps and garden waste into a dark, crumbly material that improves soil structure, feeds plants slowly and helps the ground hold water during dry spells. Even a small back garden has room for a compact bin.",
        "Good compost depends on a balance between two kinds of material, often described as greens and browns. Greens are soft, moist and rich in nitrogen: vegetable peelings, fruit scraps, coffee grounds, fresh grass clippings and young weeds before they set seed. Browns are dry and rich in carbon: fallen leaves, straw, shredded cardboard, egg boxes and woody prunings cut into short pieces.",
        "A heap made only of greens turns slimy and smells unpleasant, because it becomes too wet and airless. A heap made only of browns barely changes at all. Aim for roughly equal volumes of each, and mix them rather than adding thick layers of one kind. If the heap smells bad, add more browns; if it seems dry and inactive, add greens or a little water.",
        "Air is the other essential ingredient. The microbes that do most of the work need oxygen, so turning the heap every few weeks with a garden fork speeds things up considerably. If you do not have the time or energy for turning, the compost will still form, just more slowly; a cold heap left alone can take a year or more, while a well-managed hot heap can be ready in three months.",
        "Some things should stay out of a home compost bin. Meat, fish, dairy products and cooked food attract rats and can smell. Diseased plants may spread problems back into the garden, and perennial weeds with persistent roots can survive and regrow. Glossy printed paper, coal ash and pet waste are also best avoided.",
        "You will know the compost is ready when it is dark brown, smells earthy and you can no longer recognise most of the original ingredients. A few woody bits are fine; simply sieve them out and add them back to the next heap. Spread finished compost as a layer a few centimetres thick around plants, or dig it into beds before sowing.",
        "Composting also reduces the amount of waste sent to landfill, where organic matter breaks down without oxygen and releases methane. A household that composts its vegetable scraps and garden waste can cut the weight of its rubbish bin noticeably, which is a satisfying side effect of a hobby that also makes the garden healthier.",
    ),
)

# Forum thread: (user, time, paragraphs)
FORUM_TITLE = "Training loss suddenly becomes NaN after a few thousand steps"
FORUM_POSTS = (
    (
        "gradient_gardener",
        "2025-03-10 21:14",
        (
            "I'm fine-tuning a small Transformer (about 350M parameters) on a single GPU with mixed precision. Everything looks normal for the first 3,000 steps or so, then the loss spikes and becomes NaN. Learning rate is 3e-4 with a linear warmup of 500 steps and cosine decay, batch size 32, sequence length 1024.",
            "I've restarted twice from the last checkpoint and it happens again at roughly the same point. Any ideas where to start looking?",
        ),
    ),
    (
        "tensor_tinkerer",
        "2025-03-10 21:40",
        (
            "First thing I would check is whether you're using fp16 or bf16. With fp16 the dynamic range is small and a single large activation can overflow to inf, which turns into NaN on the next step. If your GPU supports bf16, switch to it; it has the same exponent range as fp32 and this class of problem mostly disappears. If you have to stay on fp16, make sure the loss scaler is actually enabled.",
        ),
    ),
    (
        "gradient_gardener",
        "2025-03-10 22:05",
        (
            "It's fp16, the card is a bit older and doesn't support bf16. The scaler should be on through the framework's default settings, I think. How would I check that it's doing its job?",
        ),
    ),
    (
        "quiet_loss",
        "2025-03-11 07:52",
        (
            "Log the loss scale every step. If it keeps dropping towards very small values right before the NaN, the scaler is fighting overflow and losing. Also log the global gradient norm; a sudden jump of several orders of magnitude usually points at one bad batch.",
            "Since it happens at the same step after restarting, I would bet on a data problem. Dump the batch at that step and look at it. I once spent two days on this and the culprit was a single document made of ten thousand copies of the same character, which produced some extreme attention scores.",
        ),
    ),
    (
        "tensor_tinkerer",
        "2025-03-11 08:20",
        (
            "Good point. Gradient clipping at 1.0 is also cheap insurance if you don't have it yet. And 3e-4 is on the high side for fine-tuning a model that size; try 1e-4 and see whether the spike moves or disappears.",
        ),
    ),
    (
        "gradient_gardener",
        "2025-03-12 19:03",
        (
            "Update for anyone finding this thread later: you were right about the data. The batch at that step contained a scraped page that was almost entirely a base64-encoded image pasted as text, tens of thousands of characters with no spaces. I added a filter that drops documents where the longest run without whitespace exceeds 1,000 characters, plus gradient clipping at 1.0, and the run has now passed 20,000 steps without a problem. Thanks all!",
        ),
    ),
)

# ---------------------------------------------------------------------------
# Near-duplicate variants
# ---------------------------------------------------------------------------

_METRO_OLD = "这条线路全长约二十六公里，共设车站十九座，"
_METRO_NEW = "这条线路全长约二十七公里，共设车站二十座，"


def metro_changed_sentence() -> Article:
    p = list(ZH_METRO.paragraphs)
    assert _METRO_OLD in p[0]
    p[0] = p[0].replace(_METRO_OLD, _METRO_NEW)
    return Article("zh_metro_nd", "zh", ZH_METRO.title, ZH_METRO.date, "青禾移动新闻", tuple(p))


_SOURDOUGH_ADDED = " A straight-sided container with a strip of tape marking the starting level makes this much easier to judge."


def sourdough_added_sentence() -> Article:
    p = list(EN_SOURDOUGH.paragraphs)
    p[4] = p[4] + _SOURDOUGH_ADDED
    return Article(
        "en_sourdough_nd", "en", EN_SOURDOUGH.title, EN_SOURDOUGH.date, "Shared by Recipe Box", tuple(p)
    )


def battery_reordered() -> Article:
    p = list(ZH_BATTERY.paragraphs)
    # move the "市场层面" paragraph (index 4) in front of paragraph index 2
    p.insert(2, p.pop(4))
    return Article("zh_battery_nd", "zh", ZH_BATTERY.title, ZH_BATTERY.date, "示例财经 综合报道", tuple(p))


# ---------------------------------------------------------------------------
# HTML rendering
# ---------------------------------------------------------------------------


def esc(s: str) -> str:
    return html.escape(s, quote=True)


def para_html(p: str) -> str:
    parts = p.split("`")
    out = []
    for i, part in enumerate(parts):
        out.append(f"<code>{esc(part)}</code>" if i % 2 else esc(part))
    return "<p>" + "".join(out) + "</p>"


def render_article(a: Article, *, tail: str = "", after_first: str = "", css: str = "post") -> str:
    lines = [
        f'<article class="{css}">',
        f"<h1>{esc(a.title)}</h1>",
        f'<p class="byline">{esc(a.byline)} | <time datetime="{a.date}">{a.date}</time></p>',
    ]
    for i, p in enumerate(a.paragraphs):
        lines.append(para_html(p))
        if i == 0 and after_first:
            lines.append(after_first)
    if tail:
        lines.append(tail)
    lines.append("</article>")
    return "\n".join(lines)


@dataclass(frozen=True)
class Site:
    host: str
    name: str
    lang: str
    nav: tuple[tuple[str, str], ...]
    sidebar_title: str
    sidebar: tuple[str, ...]
    footer: str
    cookie_banner: bool = False


def _nav(*labels: str) -> tuple[tuple[str, str], ...]:
    return tuple((label, f"/{i}/" if i else "/") for i, label in enumerate(labels))


ZH_NEWS_FOOTER = (
    '<p><a href="/about">关于我们</a> | <a href="/contact">联系我们</a> | <a href="/ads">广告服务</a> | '
    '<a href="/jobs">招聘信息</a></p>\n<p class="copyright">版权所有 © 2025 示例新闻网 未经许可不得转载</p>\n'
    "<p>ICP备案号：示例-00000000号 | 违法和不良信息举报电话：000-00000000</p>"
)

SITES: dict[str, Site] = {
    s.host: s
    for s in (
        Site(
            "news.example.cn",
            "示例新闻网",
            "zh",
            _nav("首页", "国内", "国际", "科技", "财经", "体育", "文化", "图片"),
            "热门排行",
            (
                "本周天气回暖，公园迎来赏花人流",
                "市图书馆延长夜间开放时间",
                "老旧小区加装电梯进展顺利",
                "春季招聘会下周举行",
                "多条公交线路调整通知",
            ),
            ZH_NEWS_FOOTER,
        ),
        Site(
            "m.news.example.cn",
            "示例新闻网 手机版",
            "zh",
            _nav("首页", "要闻", "本地", "视频"),
            "猜你喜欢",
            ("市图书馆延长夜间开放时间", "春季招聘会下周举行", "老旧小区加装电梯进展顺利"),
            '<p class="copyright">版权所有 © 2025 示例新闻网 未经许可不得转载</p>\n<p><a href="https://news.example.cn/">电脑版</a> | <a href="/app">下载客户端</a></p>',
        ),
        Site(
            "mirror.example.net",
            "科技文摘",
            "zh",
            _nav("首页", "人工智能", "互联网", "手机", "游戏"),
            "最新文章",
            ("十款好用的效率工具推荐", "手机电池保养小技巧", "这些快捷键你都知道吗"),
            "<p>本站部分内容来源于网络，如有侵权请联系删除。</p>\n<p>科技文摘 2025</p>",
        ),
        Site(
            "finance.example.cn",
            "示例财经",
            "zh",
            _nav("首页", "股票", "基金", "汽车", "房产", "理财"),
            "财经要闻",
            ("一季度消费数据出炉", "多地出台购车补贴政策", "理财产品收益率走势分析"),
            "<p>示例财经 版权所有 未经书面授权禁止使用</p>\n<p>投资有风险，入市需谨慎。</p>",
        ),
        Site(
            "food.example.cn",
            "小满厨房",
            "zh",
            _nav("首页", "家常菜", "烘焙", "汤羹", "素食", "视频"),
            "本周热门菜谱",
            ("红烧肉的三个小窍门", "十分钟早餐合集", "不用烤箱的简易蛋糕", "一锅出的懒人焖饭"),
            "<p>小满厨房 2025 | 联系我们 | 投稿须知</p>\n<p>菜谱内容仅供参考，请根据自身情况调整。</p>",
        ),
        Site(
            "travel.example.cn",
            "山野旅人",
            "zh",
            _nav("首页", "国内游", "出境游", "徒步", "攻略", "游记"),
            "热门游记",
            ("一个人的海边小城", "冬天去看雪的五个地方", "第一次徒步需要准备什么"),
            "<p>山野旅人 旅行博客 2025 | 联系作者</p>",
        ),
        Site(
            "kepu.example.cn",
            "示例科普",
            "zh",
            _nav("首页", "天文", "物理", "生物", "地球", "问答"),
            "科普问答",
            ("月亮为什么总是一面朝向地球", "彩虹是怎样形成的", "冰为什么会浮在水面上"),
            "<p>示例科普 2025 | 科普内容欢迎在注明出处的前提下转载</p>",
        ),
        Site(
            "blog.example.cn",
            "码农笔记",
            "zh",
            _nav("首页", "Python", "后端", "工具", "归档", "关于"),
            "最近文章",
            ("用 Python 处理大文件的几种方法", "正则表达式速查", "Docker 入门笔记", "日志系统设计的一点体会"),
            "<p>码农笔记 2025 | 由静态博客生成器驱动</p>",
        ),
        Site(
            "edu.example.cn",
            "示例教育",
            "zh",
            _nav("首页", "升学", "家庭教育", "素质教育", "政策"),
            "家长关注",
            ("如何培养孩子的阅读习惯", "寒假作息安排建议", "中学选科指南"),
            "<p>示例教育 2025 | 联系我们 | 隐私政策</p>",
        ),
        Site(
            "life.example.cn",
            "示例生活",
            "zh",
            _nav("首页", "家居", "园艺", "美食", "健康"),
            "生活小窍门",
            ("衣服上的油渍怎么洗", "绿萝叶子发黄怎么办", "冰箱除味小妙招"),
            "<p>示例生活 2025 | 用心记录生活</p>",
        ),
        Site(
            "culture.example.cn",
            "示例文化",
            "zh",
            _nav("首页", "传统节日", "非遗", "书画", "茶与酒"),
            "文化专题",
            ("二十四节气里的生活智慧", "老手艺人的新故事", "古诗词中的春天"),
            "<p>示例文化 2025 | 传承与创新</p>",
        ),
        Site(
            "sports.example.cn",
            "示例体育",
            "zh",
            _nav("首页", "跑步", "足球", "篮球", "健身", "赛事"),
            "近期赛事",
            ("青禾城市马拉松报名开启", "社区篮球联赛收官", "夏季游泳安全提示"),
            "<p>示例体育 2025 | 运动有风险，锻炼需量力而行</p>",
        ),
        Site(
            "blog.example.com",
            "The Example Engineering Blog",
            "en",
            (
                ("Home", "/"),
                ("Posts", "/posts/"),
                ("Tags", "/tags/"),
                ("About", "/about/"),
                ("RSS", "/feed.xml"),
            ),
            "Popular posts",
            (
                "Ten Lessons from Running Nightly Batch Jobs",
                "A Gentle Introduction to Type Hints",
                "Why We Moved Our Logs to Plain Text",
            ),
            '<p>The Example Engineering Blog | Built with a static site generator | <a href="/privacy">Privacy</a></p>',
            cookie_banner=True,
        ),
        Site(
            "reader.example.com",
            "ReadLater",
            "en",
            (("My list", "/"), ("Archive", "/archive/"), ("Settings", "/settings/")),
            "Saved recently",
            ("Three Ways to Organise Your Notes", "The Case for Boring Technology"),
            "<p>ReadLater. Saved for offline reading.</p>",
        ),
        Site(
            "food.example.com",
            "Example Kitchen",
            "en",
            (
                ("Home", "/"),
                ("Recipes", "/recipes/"),
                ("Baking", "/baking/"),
                ("Techniques", "/techniques/"),
                ("Shop", "/shop/"),
            ),
            "You might also like",
            (
                "Focaccia for Beginners",
                "How to Keep a Starter Alive on Holiday",
                "Five Soups for Cold Evenings",
            ),
            '<p>Example Kitchen | <a href="/terms">Terms</a> | <a href="/privacy">Privacy</a> | <a href="/contact">Contact</a></p>',
            cookie_banner=True,
        ),
        Site(
            "recipes.example.net",
            "Recipe Box",
            "en",
            (("Home", "/"), ("Popular", "/popular/"), ("Submit a recipe", "/submit/")),
            "Trending recipes",
            ("Overnight Oats Five Ways", "One-Pan Roast Vegetables"),
            "<p>Recipe Box. Recipes are shared by our community.</p>",
        ),
        Site(
            "travel.example.net",
            "Slow Travel Notes",
            "en",
            (("Home", "/"), ("Journeys", "/journeys/"), ("Rail", "/rail/"), ("About", "/about/")),
            "More journeys",
            ("A Week on Foot Along the Old Canal", "Night Ferries Worth Taking"),
            "<p>Slow Travel Notes. Written on trains, mostly.</p>",
        ),
        Site(
            "science.example.org",
            "Example Science Explained",
            "en",
            (
                ("Home", "/"),
                ("Physics", "/physics/"),
                ("Earth", "/earth/"),
                ("Space", "/space/"),
                ("Ask a question", "/ask/"),
            ),
            "Related explainers",
            ("How Rainbows Form", "Why the Moon Always Shows the Same Face"),
            "<p>This work is licensed under a Creative Commons Attribution-ShareAlike 4.0 International License. "
            '<a rel="license" href="https://creativecommons.org/licenses/by-sa/4.0/">CC BY-SA 4.0</a></p>\n'
            "<p>Example Science Explained is a volunteer project.</p>",
        ),
        Site(
            "cafe.example.co.uk",
            "The Lane Journal",
            "en",
            (("Home", "/"), ("Food & Drink", "/food/"), ("People", "/people/"), ("What's on", "/events/")),
            "Also on the lane",
            ("The Bookbinder Next Door", "Saturday Market Guide"),
            "<p>The Lane Journal. A neighbourhood magazine.</p>",
        ),
        Site(
            "news.example.com",
            "Elmsworth Example News",
            "en",
            (
                ("Home", "/"),
                ("Local", "/local/"),
                ("Politics", "/politics/"),
                ("Environment", "/environment/"),
                ("Sport", "/sport/"),
                ("Opinion", "/opinion/"),
            ),
            "Most read",
            (
                "Library Extends Weekend Opening Hours",
                "New Bus Timetable Starts Monday",
                "School Choir Wins Regional Prize",
            ),
            '<p><a href="/about">About us</a> | <a href="/contact">Contact</a> | <a href="/advertise">Advertise</a></p>\n'
            '<p class="copyright">© 2025 Example Media Ltd. All rights reserved.</p>',
            cookie_banner=True,
        ),
        Site(
            "money.example.com",
            "Example Money",
            "en",
            (("Home", "/"), ("Budgeting", "/budgeting/"), ("Saving", "/saving/"), ("Calculators", "/tools/")),
            "Popular guides",
            ("How to Read a Payslip", "Switching Energy Supplier in Five Steps"),
            "<p>Example Money. Information only, not financial advice.</p>\n<p>© 2025 Example Money. All rights reserved. Text and data mining of this site is not permitted.</p>",
            cookie_banner=True,
        ),
        Site(
            "garden.example.org",
            "Example Gardeners' Circle",
            "en",
            (("Home", "/"), ("Guides", "/guides/"), ("Allotments", "/allotments/"), ("Events", "/events/")),
            "Seasonal jobs",
            ("Sowing Tomatoes Indoors", "Pruning Fruit Bushes"),
            "<p>Example Gardeners' Circle. Please do not use our content to train AI systems.</p>",
        ),
        Site(
            "forum.example.org",
            "Example ML Forum",
            "en",
            (("Latest", "/latest"), ("Categories", "/categories"), ("Top", "/top"), ("Log in", "/login")),
            "Similar topics",
            (
                "Loss plateaus after warmup",
                "Gradient checkpointing slows training a lot",
                "bf16 vs fp16 on older cards",
            ),
            "<p>Example ML Forum. Powered by open-source forum software.</p>",
        ),
    )
}


def render_page(
    site: Site,
    title: str,
    main_html: str,
    *,
    charset_decl: str = '<meta charset="utf-8">',
    extra_head: str = "",
    breadcrumb: str = "",
) -> str:
    """Wrap a main body in a full page with header/nav/sidebar/footer boilerplate."""
    zh = site.lang == "zh"
    nav = "\n".join(
        f'<li><a href="https://{site.host}{path}">{esc(label)}</a></li>' for label, path in site.nav
    )
    side = "\n".join(f'<li><a href="/hot/{i + 1}.html">{esc(t)}</a></li>' for i, t in enumerate(site.sidebar))
    search = (
        '<form class="search" action="/search"><input type="text" name="q" placeholder="搜索"><button>搜索</button></form>'
        if zh
        else '<form class="search" action="/search"><input type="text" name="q" placeholder="Search"><button>Search</button></form>'
    )
    login = (
        '<a href="/login">登录</a> | <a href="/register">注册</a>'
        if zh
        else '<a href="/login">Sign in</a> | <a href="/subscribe">Subscribe</a>'
    )
    cookie = (
        '<div class="cookie-banner">We use cookies to improve your experience. <a href="/cookies">Manage settings</a> <button>Accept all</button></div>\n'
        if site.cookie_banner
        else ""
    )
    head = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if zh else "en"}">',
        "<head>",
    ]
    if charset_decl:
        head.append(charset_decl)
    head += [
        f"<title>{esc(title)} - {esc(site.name)}</title>",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
    ]
    if extra_head:
        head.append(extra_head)
    head += [
        f'<link rel="stylesheet" href="https://{site.host}/static/site.css">',
        "</head>",
        "<body>",
    ]
    body = [
        cookie + '<header class="site-header">',
        f'<div class="logo"><a href="https://{site.host}/">{esc(site.name)}</a></div>',
        f'<div class="user">{login}</div>',
        search,
        f'<nav class="main-nav"><ul>\n{nav}\n</ul></nav>',
        "</header>",
        '<div class="container">',
    ]
    if breadcrumb:
        body.append(f'<div class="breadcrumb">{breadcrumb}</div>')
    body += [
        '<main id="content">',
        main_html,
        "</main>",
        f'<aside class="sidebar"><h3>{esc(site.sidebar_title)}</h3><ul>\n{side}\n</ul></aside>',
        "</div>",
        f'<footer class="site-footer">\n{site.footer}\n</footer>',
        '<script src="/static/analytics.js" async></script>',
        "</body>",
        "</html>",
    ]
    return "\n".join(head + body) + "\n"


def zh_news_tail(editor: str, related: tuple[tuple[str, str], ...]) -> str:
    """In-article boilerplate used on every news.example.cn article."""
    links = "\n".join(f'<li><a href="{href}">{esc(t)}</a></li>' for t, href in related)
    return (
        f'<p class="editor">编辑：{esc(editor)}</p>\n'
        '<div class="follow"><img src="/static/qrcode.png" alt="二维码"><p>扫码关注我们的公众号，获取更多资讯</p></div>\n'
        f'<div class="related"><h3>相关阅读</h3><ul>\n{links}\n</ul></div>'
    )


BLOG_CN_TAIL = (
    "<p>如果觉得本文有帮助，欢迎点赞、收藏、转发。</p>\n"
    '<p class="tags">标签：<a href="/tags/python">Python</a> <a href="/tags/notes">笔记</a></p>'
)

# Plain <p> elements on purpose: extractors keep them, so they reach the
# line-level boilerplate filter (a <div class="newsletter"> with a <form> is
# already dropped by trafilatura).
NEWSLETTER = "<p>Subscribe to our newsletter for weekly updates.</p>"


def en_related(title: str, items: tuple[tuple[str, str], ...]) -> str:
    links = "\n".join(f'<li><a href="{href}">{esc(t)}</a></li>' for t, href in items)
    return f'<div class="related"><h3>{esc(title)}</h3><ul>\n{links}\n</ul></div>'


# ---------------------------------------------------------------------------
# WARC page list
# ---------------------------------------------------------------------------


@dataclass
class WebRecord:
    url: str
    body: bytes
    content_type: str
    case: str
    expected: str
    lang: str = ""
    extra_headers: tuple[tuple[str, str], ...] = ()
    licence: str = "none stated"
    article: Article | None = None
    offset: int = field(default=-1)


def build_web_records() -> list[WebRecord]:
    recs: list[WebRecord] = []
    S = SITES

    def add(url, html_text, *, encoding="utf-8", content_type="text/html; charset=utf-8", **kw):
        recs.append(WebRecord(url, html_text.encode(encoding, errors="strict"), content_type, **kw))

    news_related = (
        ("市图书馆延长夜间开放时间", "https://news.example.cn/2025/0310/library.html"),
        ("春季招聘会下周举行", "https://news.example.cn/2025/0311/jobfair.html"),
        ("老旧小区加装电梯进展顺利", "https://news.example.cn/2025/0309/elevator.html"),
    )
    crumb_news = '当前位置：<a href="/">首页</a> &gt; <a href="/3/">科技</a> &gt; 正文'

    ai_article = render_article(ZH_AI, tail=zh_news_tail("陈一帆", news_related))
    add(
        "https://news.example.cn/2025/0312/llm-training.html",
        render_page(S["news.example.cn"], ZH_AI.title, ai_article, breadcrumb=crumb_news),
        lang="zh",
        article=ZH_AI,
        case="Chinese AI article (GPT-4, token, Transformer, GPU, RLHF); original of the exact duplicate on mirror.example.net",
        expected="keep (first copy); in-article boilerplate lines removed",
        licence="all rights reserved (site footer)",
    )
    tok_article = render_article(
        EN_TOKENS,
        tail=NEWSLETTER
        + "\n"
        + en_related(
            "Related posts",
            (
                ("Writing Python Code That Is Easy to Test", "/posts/testable-python"),
                ("Ten Lessons from Running Nightly Batch Jobs", "/posts/nightly-jobs"),
            ),
        ),
    )
    add(
        "https://blog.example.com/posts/what-is-a-token",
        render_page(S["blog.example.com"], EN_TOKENS.title, tok_article),
        lang="en",
        article=EN_TOKENS,
        case="English article on tokenizers; original of the exact duplicate on reader.example.com",
        expected="keep (first copy); newsletter line removed as boilerplate",
    )
    add(
        "https://food.example.cn/recipe/tomato-egg.html",
        render_page(
            S["food.example.cn"],
            ZH_TOMATO.title,
            render_article(ZH_TOMATO, tail='<p class="tip">喜欢这道菜？欢迎收藏本页，下次做饭不迷路。</p>'),
            charset_decl='<meta http-equiv="Content-Type" content="text/html; charset=gbk">',
        ),
        encoding="gbk",
        content_type="text/html; charset=gbk",
        lang="zh",
        article=ZH_TOMATO,
        case="GBK-encoded bytes; charset=gbk in HTTP header and in <meta http-equiv>",
        expected="decoded as GBK without mojibake; keep",
    )
    add(
        "https://food.example.com/baking/sourdough-without-stress",
        render_page(S["food.example.com"], EN_SOURDOUGH.title, render_article(EN_SOURDOUGH)),
        content_type="text/html; charset=UTF-8",
        lang="en",
        article=EN_SOURDOUGH,
        case="English cooking article; original of the near duplicate on recipes.example.net",
        expected="keep",
    )
    add(
        "https://news.example.cn/2025/0315/metro-line5.html",
        render_page(
            S["news.example.cn"],
            ZH_METRO.title,
            render_article(ZH_METRO, tail=zh_news_tail("陈一帆", news_related)),
            breadcrumb='当前位置：<a href="/">首页</a> &gt; <a href="/1/">国内</a> &gt; 正文',
        ),
        lang="zh",
        article=ZH_METRO,
        case="Chinese city news; original of the near duplicate on m.news.example.cn",
        expected="keep; boilerplate lines removed",
        licence="all rights reserved (site footer)",
    )
    add(
        "https://science.example.org/earth/two-high-tides",
        render_page(S["science.example.org"], EN_TIDES.title, render_article(EN_TIDES)),
        lang="en",
        article=EN_TIDES,
        case='CC BY-SA 4.0 page: footer <a rel="license" href=".../by-sa/4.0/"> plus the licence sentence; its body is repeated verbatim in text.jsonl',
        expected="licence = CC-BY-SA-4.0; keep",
        licence="CC BY-SA 4.0",
    )
    add(
        "https://travel.example.cn/notes/dali-autumn.html",
        render_page(S["travel.example.cn"], ZH_DALI.title, render_article(ZH_DALI), charset_decl=""),
        encoding="gbk",
        content_type="text/html; charset=GBK",
        lang="zh",
        article=ZH_DALI,
        case="GBK-encoded bytes; charset only in the HTTP header (upper-case GBK), no <meta> charset at all",
        expected="decoded as GBK without mojibake; keep",
    )
    sky_tail = (
        '<p class="license">本文采用 知识共享署名 4.0 国际许可协议 (CC BY 4.0) 进行许可。'
        '许可协议全文见 <a href="https://creativecommons.org/licenses/by/4.0/deed.zh-hans">此处</a>。</p>'
    )
    add(
        "https://kepu.example.cn/physics/why-sky-blue.html",
        render_page(S["kepu.example.cn"], ZH_SKY.title, render_article(ZH_SKY, tail=sky_tail)),
        content_type="text/html; charset=utf-8",
        lang="zh",
        article=ZH_SKY,
        case="Chinese CC BY 4.0 statement inside the article (plain link to the deed, no rel=license)",
        expected="licence = CC-BY-4.0; keep",
        licence="CC BY 4.0",
    )
    add(
        "https://cafe.example.co.uk/food/market-lane-cafe.html",
        render_page(
            S["cafe.example.co.uk"],
            EN_CAFE.title,
            render_article(EN_CAFE),
            charset_decl='<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">',
        ),
        encoding="latin-1",
        content_type="text/html; charset=iso-8859-1",
        lang="en",
        article=EN_CAFE,
        case="ISO-8859-1 bytes (café, naïve, £3.20, crème brûlée, façade, ½); honestly labelled charset=iso-8859-1 in header and meta",
        expected="decoded as Latin-1 (é, ï, £ intact); keep",
    )
    add(
        "https://blog.example.cn/posts/asyncio-intro.html",
        render_page(
            S["blog.example.cn"],
            ZH_ASYNCIO.title,
            render_article(ZH_ASYNCIO, tail=BLOG_CN_TAIL),
            charset_decl='<meta charset="gb2312">',
        ),
        encoding="gb2312",
        content_type="text/html",
        lang="zh",
        article=ZH_ASYNCIO,
        case='GB2312-encoded bytes; HTTP Content-Type has NO charset, only <meta charset="gb2312">',
        expected="decoded via the meta tag (gb2312/gbk) without mojibake; keep",
    )
    add(
        "https://news.example.com/local/riverside-bike-lanes",
        render_page(
            S["news.example.com"],
            EN_BIKES.title,
            render_article(EN_BIKES, tail=NEWSLETTER),
        ),
        lang="en",
        article=EN_BIKES,
        case='English local news, footer "© 2025 Example Media Ltd. All rights reserved."',
        expected="licence = all-rights-reserved; newsletter line removed as boilerplate",
        licence="all rights reserved",
    )
    recs.append(
        WebRecord(
            "https://blog.example.com/static/logo.png",
            tiny_png(),
            "image/png",
            case="non-HTML response (a real 8x8 PNG)",
            expected="skipped by the HTML extractor (content type image/png)",
        )
    )
    add(
        "https://news.example.cn/2025/0313/neck-health.html",
        render_page(
            S["news.example.cn"],
            ZH_NECK.title,
            render_article(ZH_NECK, tail=zh_news_tail("王若溪", news_related)),
            breadcrumb='当前位置：<a href="/">首页</a> &gt; <a href="/0/">健康</a> &gt; 正文',
        ),
        lang="zh",
        article=ZH_NECK,
        case="Chinese health news on news.example.cn (same-host boilerplate: 编辑/公众号/相关阅读)",
        expected="keep; boilerplate lines removed",
        licence="all rights reserved (site footer)",
    )
    add(
        "https://mirror.example.net/tech/2025/0312/llm-training.html",
        render_page(S["mirror.example.net"], ZH_AI.title, ai_article, charset_decl='<meta charset="UTF-8">'),
        content_type="text/html",
        lang="zh",
        article=ZH_AI,
        case="EXACT DUPLICATE: <article> block byte-identical to https://news.example.cn/2025/0312/llm-training.html, different site chrome; HTTP header has no charset",
        expected="dropped by exact dedup",
        licence="unclear (scraper site)",
    )
    add(
        "https://bestdeals.example.net/cheap-pills-online.html",
        spam_en_page(),
        lang="en",
        case="English SPAM: keyword stuffing, 'cheap pills buy now' repeated, 60 links",
        expected="dropped by quality filters",
    )
    add(
        "https://blog.example.cn/posts/rag-in-practice.html",
        render_page(S["blog.example.cn"], ZH_RAG.title, render_article(ZH_RAG, tail=BLOG_CN_TAIL)),
        lang="zh",
        article=ZH_RAG,
        case="Chinese programming article (RAG, embedding, prompt, token); last record before the broken member",
        expected="keep",
    )
    # --- broken member is inserted here by write_warc() ---
    heron_fig = (
        '<figure class="photo"><img src="https://news.example.com/img/heron-quarry.jpg" alt="A grey heron standing in shallow water" width="800" height="533">'
        '<figcaption>A grey heron at the quarry lake. Photo: Jane Doe / <a href="https://creativecommons.org/licenses/by/2.0/">CC BY 2.0</a></figcaption></figure>'
    )
    add(
        "https://news.example.com/environment/herons-return-quarry-lake",
        render_page(
            S["news.example.com"],
            EN_HERONS.title,
            render_article(EN_HERONS, after_first=heron_fig, tail=NEWSLETTER),
        ),
        lang="en",
        article=EN_HERONS,
        case="LICENCE TRAP: only CC mention is the image credit 'Photo: Jane Doe / CC BY 2.0'; page footer is all-rights-reserved",
        expected="licence = all-rights-reserved (NOT CC BY 2.0)",
        licence="all rights reserved (CC BY 2.0 applies to the photo only)",
    )
    add(
        "https://money.example.com/budgeting/simple-budget",
        render_page(
            S["money.example.com"],
            EN_BUDGET.title,
            render_article(
                EN_BUDGET,
                tail='<p class="disclaimer">This article is general information, not financial advice.</p>',
            ),
        ),
        lang="en",
        article=EN_BUDGET,
        extra_headers=(("tdm-reservation", "1"),),
        case="TDM opt-out: HTTP response header 'tdm-reservation: 1'",
        expected="excluded (text-and-data-mining rights reserved)",
        licence="all rights reserved + TDM reservation",
    )
    add(
        "https://news.example.cn/2025/0314/battery-recycling.html",
        render_page(
            S["news.example.cn"],
            ZH_BATTERY.title,
            render_article(ZH_BATTERY, tail=zh_news_tail("王若溪", news_related)),
            breadcrumb='当前位置：<a href="/">首页</a> &gt; <a href="/4/">财经</a> &gt; 正文',
        ),
        lang="zh",
        article=ZH_BATTERY,
        case="Chinese economy news; original of the paragraph-reordered near duplicate on finance.example.cn",
        expected="keep; boilerplate lines removed",
        licence="all rights reserved (site footer)",
    )
    add(
        "https://garden.example.org/guides/small-garden-compost",
        render_page(
            S["garden.example.org"],
            EN_COMPOST.title,
            render_article(EN_COMPOST),
            extra_head='<meta name="robots" content="noai, noimageai">',
        ),
        lang="en",
        article=EN_COMPOST,
        case='AI opt-out: <meta name="robots" content="noai, noimageai">',
        expected="excluded (noai)",
        licence="none stated + noai",
    )
    add(
        "https://edu.example.cn/parents/kids-coding-faq.html",
        render_page(S["edu.example.cn"], ZH_KIDS.title, render_article(ZH_KIDS)),
        lang="zh",
        article=ZH_KIDS,
        case="Chinese education article (Python, AI)",
        expected="keep",
    )
    add(
        "https://recipes.example.net/shared/sourdough-without-stress",
        render_page(S["recipes.example.net"], EN_SOURDOUGH.title, render_article(sourdough_added_sentence())),
        lang="en",
        article=sourdough_added_sentence(),
        case="NEAR DUPLICATE (added sentence) of https://food.example.com/baking/sourdough-without-stress",
        expected="dropped by near-dup (MinHash) dedup",
    )
    add(
        "https://travel.example.net/journeys/slow-train-to-the-coast",
        render_page(S["travel.example.net"], EN_RAIL.title, render_article(EN_RAIL)),
        lang="en",
        article=EN_RAIL,
        case="English travel essay (fictional places)",
        expected="keep",
    )
    add(
        "https://life.example.cn/garden/balcony-vegetables.html",
        render_page(S["life.example.cn"], ZH_BALCONY.title, render_article(ZH_BALCONY)),
        lang="zh",
        article=ZH_BALCONY,
        case="Chinese lifestyle article",
        expected="keep",
    )
    add(
        "https://m.news.example.cn/2025/0315/metro-line5.html",
        render_page(
            S["m.news.example.cn"],
            ZH_METRO.title,
            render_article(metro_changed_sentence(), tail=zh_news_tail("陈一帆", news_related)),
        ),
        lang="zh",
        article=metro_changed_sentence(),
        case="NEAR DUPLICATE (one changed sentence: 二十六公里/十九座 -> 二十七公里/二十座) of https://news.example.cn/2025/0315/metro-line5.html",
        expected="dropped by near-dup dedup",
        licence="all rights reserved (site footer)",
    )
    add(
        "https://blog.example.com/posts/testable-python",
        render_page(
            S["blog.example.com"],
            EN_TESTABLE.title,
            render_article(
                EN_TESTABLE,
                tail=NEWSLETTER
                + "\n"
                + en_related(
                    "Related posts",
                    (
                        ("What Is a Token, Anyway?", "/posts/what-is-a-token"),
                        ("Ten Lessons from Running Nightly Batch Jobs", "/posts/nightly-jobs"),
                    ),
                ),
            ),
        ),
        lang="en",
        article=EN_TESTABLE,
        case="English programming article on blog.example.com (same-host newsletter boilerplate)",
        expected="keep; newsletter line removed",
    )
    add(
        "https://culture.example.cn/tea/four-seasons.html",
        render_page(S["culture.example.cn"], ZH_TEA.title, render_article(ZH_TEA)),
        content_type="text/html",
        lang="zh",
        article=ZH_TEA,
        case='Chinese culture essay; HTTP header without charset, <meta charset="utf-8"> in page',
        expected="keep",
    )
    add(
        "https://reader.example.com/saved/what-is-a-token",
        render_page(S["reader.example.com"], EN_TOKENS.title, tok_article),
        lang="en",
        article=EN_TOKENS,
        case="EXACT DUPLICATE: <article> block byte-identical to https://blog.example.com/posts/what-is-a-token, different site chrome",
        expected="dropped by exact dedup",
    )
    add(
        "https://lottery.example.cn/zhongjiang/index.html",
        spam_zh_page(),
        lang="zh",
        case="Chinese SPAM: repeated 彩票/博彩 ad lines, short lines, no real sentences",
        expected="dropped by quality filters",
    )
    add(
        "https://forum.example.org/t/training-loss-nan/4821",
        render_page(S["forum.example.org"], FORUM_TITLE, forum_thread_html()),
        lang="en",
        case="English forum thread (6 posts) about NaN loss, GPU, fp16/bf16",
        expected="keep",
    )
    add(
        "https://sports.example.cn/running/half-marathon-12-weeks.html",
        render_page(S["sports.example.cn"], ZH_MARATHON.title, render_article(ZH_MARATHON)),
        content_type="text/html; charset=UTF-8",
        lang="zh",
        article=ZH_MARATHON,
        case="Chinese sports article",
        expected="keep",
    )
    add(
        "https://www.example.com/",
        nav_only_page(),
        lang="en",
        case="Navigation-only landing page (menus, links, footer, no article text)",
        expected="extraction yields no/too little text -> dropped",
    )
    add(
        "https://finance.example.cn/auto/battery-recycling.html",
        render_page(S["finance.example.cn"], ZH_BATTERY.title, render_article(battery_reordered())),
        lang="zh",
        article=battery_reordered(),
        case="NEAR DUPLICATE (one paragraph moved) of https://news.example.cn/2025/0314/battery-recycling.html",
        expected="dropped by near-dup dedup",
        licence="all rights reserved (site footer)",
    )
    add(
        "https://blog.example.cn/posts/git-branching.html",
        render_page(S["blog.example.cn"], ZH_GIT.title, render_article(ZH_GIT, tail=BLOG_CN_TAIL)),
        lang="zh",
        article=ZH_GIT,
        case="Chinese programming article (Git, Python, ruff); last complete record",
        expected="keep",
    )
    return recs


def spam_en_page() -> str:
    kw = [
        "cheap pills",
        "buy now",
        "cheap pills online",
        "discount pills",
        "best price pills",
        "pills no prescription",
        "cheap meds",
        "order pills cheap",
    ]
    lines = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>Cheap Pills Buy Now | Cheap Pills Online | Best Cheap Pills | Buy Pills Now</title>",
        f'<meta name="keywords" content="{", ".join(kw * 3)}">',
        '<meta name="description" content="cheap pills buy now cheap pills buy now cheap pills buy now">',
        "</head><body>",
        '<div class="top">'
        + " | ".join(
            f'<a href="https://bestdeals.example.net/go/{i}">{kw[i % len(kw)]}</a>' for i in range(20)
        )
        + "</div>",
        "<article>",
        "<h1>CHEAP PILLS BUY NOW!!! BEST CHEAP PILLS ONLINE!!!</h1>",
    ]
    for i in range(14):
        a, b = kw[i % len(kw)], kw[(i * 3 + 1) % len(kw)]
        lines.append(
            f"<p>cheap pills buy now {a} {b} cheap pills buy now best price {a} buy now buy now "
            f'<a href="https://bestdeals.example.net/offer/{i}">CLICK HERE</a> 90% OFF!!! {b} {a} cheap pills buy now</p>'
        )
    lines.append("<ul>")
    for i in range(40):
        lines.append(f'<li><a href="https://bestdeals.example.net/p/{i}">{kw[i % len(kw)]} {i}</a></li>')
    lines += [
        "</ul>",
        "<p>BUY NOW BUY NOW BUY NOW cheap pills cheap pills cheap pills cheap pills cheap pills</p>",
        "</article>",
        '<footer><a href="/">cheap pills</a> <a href="/">buy now</a> <a href="/">cheap pills online</a></footer>',
        "</body></html>",
    ]
    return "\n".join(lines) + "\n"


def spam_zh_page() -> str:
    ads = [
        "【官方推荐】彩票平台 注册即送88元",
        "稳赚不赔 日赚万元 不是梦",
        "点击进入>>> 立即下注",
        "真人娱乐 百家乐 老虎机 在线赌博",
        "加QQ群 00000000 领取内部计划",
        "彩票 彩票 彩票 开奖 开奖 中奖",
        "百分百中奖 包赢 包赢",
        "充值返利 天天送 秒到账",
        "时时彩 快三 六合 必中 必中",
        "免费领取 一码中特",
    ]
    lines = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        "<title>彩票 彩票平台 彩票开奖 彩票中奖 彩票注册 彩票官网</title>",
        '<meta name="keywords" content="彩票,彩票平台,彩票开奖,在线赌博,百家乐,时时彩,中奖,包赢">',
        "</head><body>",
        "<article>",
        "<h1>彩票 中奖 彩票 中奖 彩票 中奖</h1>",
    ]
    for i in range(36):
        ad = ads[(i * 7) % len(ads)]
        lines.append(f'<p><a href="https://lottery.example.cn/go/{i}">{ad}</a></p>')
    lines += [
        "<p>彩票</p>",
        "<p>中奖</p>",
        "<p>注册</p>",
        "</article>",
        "<footer>彩票 彩票 彩票</footer>",
        "</body></html>",
    ]
    return "\n".join(lines) + "\n"


def nav_only_page() -> str:
    sections = {
        "Products": ["Overview", "Pricing", "Downloads", "Changelog", "Roadmap"],
        "Resources": ["Docs", "Blog", "Community", "Events", "Support"],
        "Company": ["About", "Careers", "Press", "Contact", "Legal"],
    }
    nav = []
    for title, items in sections.items():
        links = "".join(f'<li><a href="/{title.lower()}/{i.lower()}">{i}</a></li>' for i in items)
        nav.append(f'<div class="menu"><h4>{title}</h4><ul>{links}</ul></div>')
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8"><title>Example</title></head>\n<body>\n'
        '<header><a href="/">Example</a> <nav><a href="/login">Log in</a> <a href="/signup">Sign up</a></nav></header>\n'
        f'<nav class="mega-menu">{"".join(nav)}</nav>\n'
        '<main><div id="app">Loading...</div></main>\n'
        '<footer><a href="/privacy">Privacy</a> <a href="/terms">Terms</a> <a href="/cookies">Cookies</a></footer>\n'
        '<script src="/static/app.js"></script>\n</body></html>\n'
    )


def forum_thread_html() -> str:
    posts = []
    for n, (user, when, paras) in enumerate(FORUM_POSTS, 1):
        body = "\n".join(para_html(p) for p in paras)
        posts.append(
            f'<div class="post" id="post-{n}">\n'
            f'<div class="post-meta"><a class="user" href="/u/{user}">{user}</a> <span class="date">{when}</span> <span class="num">#{n}</span></div>\n'
            f'<div class="post-body">\n{body}\n</div>\n'
            '<div class="post-actions"><a href="#">Reply</a> <a href="#">Like</a> <a href="#">Share</a></div>\n'
            "</div>"
        )
    return (
        '<article class="topic">\n'
        f"<h1>{esc(FORUM_TITLE)}</h1>\n"
        '<p class="tags">Tags: <a href="/tag/training">training</a> <a href="/tag/mixed-precision">mixed-precision</a></p>\n'
        + "\n".join(posts)
        + "\n</article>"
    )


# ---------------------------------------------------------------------------
# Binary helpers
# ---------------------------------------------------------------------------


def gzip_member(data: bytes) -> bytes:
    """One gzip member with mtime 0 (deterministic)."""
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    return c.compress(data) + c.flush()


def tiny_png() -> bytes:
    """A real 8x8 RGB PNG (a small two-colour checkerboard)."""
    w = h = 8
    rows = b""
    for y in range(h):
        row = b"\x00"
        for x in range(w):
            row += b"\x2b\x6c\xb0" if (x // 2 + y // 2) % 2 else b"\xf2\xf2\xf2"
        rows += row

    def chunk(typ: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + typ + data + struct.pack(">I", zlib.crc32(typ + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


# ---------------------------------------------------------------------------
# WARC writing
# ---------------------------------------------------------------------------


def rec_id(kind: str, url: str) -> str:
    return f"<urn:uuid:{uuid.uuid5(UUID_NS, kind + ' ' + url)}>"


def warc_date(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def http_date(t: datetime) -> str:
    return format_datetime(t, usegmt=True)


def _ip(url: str) -> str:
    host = url.split("/")[2]
    return f"192.0.2.{int(hashlib.sha1(host.encode()).hexdigest(), 16) % 250 + 1}"


def make_response_bytes(
    writer_gzip: bool, rec: WebRecord, t: datetime, *, with_request: bool = True
) -> bytes:
    """Serialise request (optional) + response for one page; returns the raw bytes."""
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=writer_gzip)
    path = "/" + rec.url.split("/", 3)[3] if rec.url.count("/") >= 3 else "/"
    host = rec.url.split("/")[2]
    resp_id = rec_id("response", rec.url)
    if with_request:
        req_headers = StatusAndHeaders(
            f"GET {path} HTTP/1.1",
            [
                ("Host", host),
                ("User-Agent", USER_AGENT),
                ("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
                ("Accept-Language", "zh-CN,zh;q=0.9,en;q=0.8"),
                ("Accept-Encoding", "identity"),
                ("Connection", "close"),
            ],
            is_http_request=True,
        )
        req = writer.create_warc_record(
            rec.url,
            "request",
            http_headers=req_headers,
            warc_headers_dict={
                "WARC-Record-ID": rec_id("request", rec.url),
                "WARC-Date": warc_date(t),
                "WARC-Concurrent-To": resp_id,
                "WARC-IP-Address": _ip(rec.url),
            },
        )
        writer.write_record(req)
    headers = [
        ("Date", http_date(t)),
        ("Server", "nginx"),
        ("Content-Type", rec.content_type),
        ("Content-Length", str(len(rec.body))),
        ("Last-Modified", http_date(t - timedelta(days=3, hours=5))),
        ("Cache-Control", "max-age=600"),
        ("Connection", "close"),
    ]
    headers.extend(rec.extra_headers)
    resp = writer.create_warc_record(
        rec.url,
        "response",
        payload=io.BytesIO(rec.body),
        length=len(rec.body),
        http_headers=StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1"),
        warc_headers_dict={
            "WARC-Record-ID": resp_id,
            "WARC-Date": warc_date(t),
            "WARC-IP-Address": _ip(rec.url),
        },
    )
    writer.write_record(resp)
    return buf.getvalue()


BROKEN_URL = "https://forum.example.org/t/corrupted-record/0"
TRUNCATED_URL = "https://news.example.cn/2025/0320/spring-weather.html"
BROKEN_AFTER_URL = "https://blog.example.cn/posts/rag-in-practice.html"


def broken_member(t: datetime) -> bytes:
    """A *valid* gzip member holding a WARC record with a malformed header."""
    body = (
        b'<!DOCTYPE html><html><head><meta charset="utf-8"><title>broken</title></head>'
        b"<body><article><p>This record has a malformed WARC header and should never be parsed.</p></article></body></html>\n"
    )
    http = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
        + f"Content-Length: {len(body)}\r\nDate: {http_date(t)}\r\n\r\n".encode()
    )
    warc = (
        "WRAC/1.0\r\n"  # deliberately misspelled version line
        "WARC-Type: response\r\n"
        f"WARC-Record-ID: {rec_id('response', BROKEN_URL)}\r\n"
        f"WARC-Date: {warc_date(t)}\r\n"
        f"WARC-Target-URI: {BROKEN_URL}\r\n"
        "Content-Type: application/http; msgtype=response\r\n"
        "Content-Length: 12O4\r\n"  # capital letter O, not a number
        "\r\n"
    ).encode()
    return gzip_member(warc + http + body + b"\r\n\r\n")


def warcinfo_bytes() -> bytes:
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    info = {
        "software": "datamill data/make_sample.py (warcio)",
        "format": "WARC File Format 1.0",
        "description": "datamill bundled sample crawl; original text, CC0-1.0; contains deliberately broken records (see README.md)",
        "isPartOf": "datamill-sample",
        "operator": "datamill project",
        "robots": "classic",
    }
    payload = "".join(f"{k}: {v}\r\n" for k, v in info.items()).encode()
    rec = writer.create_warc_record(
        "",
        "warcinfo",
        payload=io.BytesIO(payload),
        length=len(payload),
        warc_content_type="application/warc-fields",
        warc_headers=StatusAndHeaders(
            "",
            [
                ("WARC-Type", "warcinfo"),
                ("WARC-Record-ID", rec_id("warcinfo", "web.warc.gz")),
                ("WARC-Filename", "web.warc.gz"),
                ("WARC-Date", warc_date(CRAWL_START)),
            ],
            protocol="WARC/1.0",
        ),
    )
    writer.write_record(rec)
    return buf.getvalue()


@dataclass
class WarcLayout:
    broken_offset: int = -1
    broken_length: int = 0
    truncated_offset: int = -1
    truncated_full_length: int = 0
    truncated_kept: int = 0
    records: list[WebRecord] = field(default_factory=list)


def write_warc(path: Path) -> WarcLayout:
    layout = WarcLayout(records=build_web_records())
    out = io.BytesIO()
    out.write(warcinfo_bytes())
    t = CRAWL_START
    for rec in layout.records:
        t += timedelta(seconds=37)
        rec.offset = out.tell()
        out.write(make_response_bytes(True, rec, t))
        if rec.url == BROKEN_AFTER_URL:
            t += timedelta(seconds=37)
            layout.broken_offset = out.tell()
            member = broken_member(t)
            layout.broken_length = len(member)
            out.write(member)
    # truncated final member: a full request+response would be two members;
    # we write the response only and cut its gzip member at 60 %.
    t += timedelta(seconds=37)
    wrec = WebRecord(
        TRUNCATED_URL,
        render_page(
            SITES["news.example.cn"],
            ZH_WEATHER.title,
            render_article(ZH_WEATHER, tail=zh_news_tail("陈一帆", ())),
        ).encode("utf-8"),
        "text/html; charset=utf-8",
        case="",
        expected="",
    )
    full = make_response_bytes(True, wrec, t, with_request=False)
    layout.truncated_offset = out.tell()
    layout.truncated_full_length = len(full)
    layout.truncated_kept = len(full) * 60 // 100
    out.write(full[: layout.truncated_kept])
    path.write_bytes(out.getvalue())
    return layout


# ---------------------------------------------------------------------------
# PDFs
# ---------------------------------------------------------------------------

A4 = pymupdf.paper_rect("a4")


def _pdf_meta(doc: pymupdf.Document, title: str, author: str, subject: str = "", keywords: str = "") -> None:
    doc.set_metadata(
        {
            "title": title,
            "author": author,
            "subject": subject,
            "keywords": keywords,
            "creator": "datamill data/make_sample.py",
            "producer": "PyMuPDF",
            "creationDate": PDF_DATE,
            "modDate": PDF_DATE,
        }
    )


def _save_pdf(doc: pymupdf.Document, path: Path) -> None:
    doc.save(path, garbage=4, deflate=True, no_new_id=True)
    doc.close()


def _flow(
    page: pymupdf.Page, blocks: list[tuple[str, str]], rect: pymupdf.Rect, *, zh: bool = False
) -> float:
    """Write (kind, text) blocks top-down into rect; returns the y position reached."""
    y = rect.y0
    body_font = "china-s" if zh else "helv"
    for kind, text in blocks:
        if kind == "h":
            size, font, gap = 16, ("china-s" if zh else "hebo"), 10
        elif kind == "h2":
            size, font, gap = 12.5, ("china-s" if zh else "hebo"), 6
        else:
            size, font, gap = 10.5, body_font, 8
        box = pymupdf.Rect(rect.x0, y, rect.x1, rect.y1)
        rc = page.insert_textbox(box, text, fontname=font, fontsize=size, lineheight=1.35)
        if rc < 0:
            raise ValueError(f"text does not fit on page: {text[:40]!r}")
        y = rect.y1 - rc + gap
    return y


def _page(
    doc: pymupdf.Document, blocks: list[tuple[str, str]], *, zh: bool = False, footer: str = ""
) -> pymupdf.Page:
    page = doc.new_page(width=A4.width, height=A4.height)
    _flow(page, blocks, pymupdf.Rect(64, 64, A4.width - 64, A4.height - 70), zh=zh)
    if footer:
        page.insert_text((64, A4.height - 40), footer, fontname="china-s" if zh else "helv", fontsize=8)
    return page


EN_REPORT_PAGES = [
    [
        ("h", "Data Quality Notes for Small Language Model Projects"),
        ("p", "Prepared by the datamill project as sample material. Version 1, March 2025."),
        ("h2", "1. Why data quality matters"),
        (
            "p",
            "Teams that train small language models usually have limited compute, which makes every token in the training set more valuable. A billion tokens of carefully filtered text can outperform several times as much unfiltered web data, because the model spends less of its capacity memorising navigation menus, spam and near-identical copies of the same page.",
        ),
        (
            "p",
            "This note summarises practical lessons from building a modest pipeline for mixed Chinese and English text. It is written for engineers who are new to data work and would like a checklist rather than a survey of the research literature. Each section ends with one concrete recommendation.",
        ),
        (
            "p",
            "Recommendation: before optimising anything, read two hundred random documents from your raw data and write down what you see. Most of the problems described below show up in the first hour of reading.",
        ),
    ],
    [
        ("h2", "2. Extraction and deduplication"),
        (
            "p",
            "Start by extracting the main text from each document and throwing away menus, cookie banners, share buttons and footers. Keep the original URL and the fetch date with every record; you will need them later for licence checks and for tracing strange outputs back to their source.",
        ),
        (
            "p",
            "Exact duplicates are easy to remove with a hash of the normalised text. Near duplicates are harder. MinHash with locality-sensitive hashing is the usual tool: it estimates the overlap between sets of word or character n-grams and groups documents that share most of their content. For Chinese, character n-grams work better than word n-grams because there are no spaces between words.",
        ),
        (
            "p",
            "Boilerplate that survives extraction, such as a newsletter invitation repeated at the end of every article on a site, is best handled by counting identical lines per host and removing lines that occur on many pages.",
        ),
        (
            "p",
            "Recommendation: run exact deduplication first, then near-duplicate detection, and keep a log of which document was kept for every cluster.",
        ),
    ],
    [
        ("h2", "3. Filtering and licensing"),
        (
            "p",
            "Quality filters should be simple at first: a minimum length, the ratio of letters to other characters, the share of lines that end in punctuation and the proportion of repeated lines. Inspect a sample of what each filter removes before trusting it. A filter that quietly drops all poetry or all source code may be acceptable, but only if you chose that outcome deliberately.",
        ),
        (
            "p",
            "Record the licence of each document where one is stated, and be careful about where the statement appears: a Creative Commons credit under a photograph says nothing about the article around it. Respect machine-readable opt-outs such as the tdm-reservation header and robots meta tags, and treat pages without a clear licence conservatively.",
        ),
        (
            "p",
            "Recommendation: make every filter decision reproducible by storing the filter version and its reason code next to each dropped document.",
        ),
    ],
]

ZH_GUIDE_PAGES = [
    [
        ("h", "社区垃圾分类简明指南"),
        ("p", "本指南由 datamill 项目编写，作为示例文档使用，内容为虚构社区的参考说明。"),
        ("h2", "一、为什么要进行垃圾分类"),
        (
            "p",
            "生活垃圾如果混在一起处理，不仅浪费了其中大量可以回收利用的资源，还会增加填埋和焚烧的压力。做好源头分类，可以让纸张、塑料、金属重新进入生产环节，让厨余垃圾变成有机肥料，也能让有害垃圾得到妥善处置，减少对土壤和水源的污染。",
        ),
        ("h2", "二、四类垃圾怎么分"),
        (
            "p",
            "可回收物：废纸、塑料瓶、玻璃瓶、金属罐和旧衣物等。投放前请尽量清空、洗净、压扁，纸箱请拆开叠好。",
        ),
        (
            "p",
            "有害垃圾：废电池、废灯管、过期药品、油漆桶和杀虫剂罐等。请轻拿轻放，避免破损泄漏，药品请连同包装一起投放。",
        ),
        ("p", "厨余垃圾：剩菜剩饭、果皮、菜叶、蛋壳和茶叶渣等。投放前请沥干水分，并去除塑料袋等包装物。"),
        ("p", "其他垃圾：用过的纸巾、陶瓷碎片、烟头、尘土以及难以回收的一次性用品。"),
    ],
    [
        ("h2", "三、常见误区"),
        (
            "p",
            "大骨头质地坚硬、难以降解，应投放到其他垃圾中，而不是厨余垃圾；用过的餐巾纸因为被污染，已经失去回收价值，也属于其他垃圾；外卖餐盒如果清洗干净，可以作为可回收物投放，但沾满油污的则应归入其他垃圾。",
        ),
        (
            "p",
            "很多居民认为过期化妆品属于有害垃圾，实际上大部分普通化妆品应按其他垃圾处理，只有指甲油等含有溶剂的产品才需要单独投放。遇到拿不准的情况，可以咨询小区的垃圾分类指导员。",
        ),
        ("h2", "四、投放时间与地点"),
        (
            "p",
            "本社区每天早上七点至九点、晚上六点至八点开放定点投放，其余时间请将垃圾暂存家中。大件家具和装修垃圾请提前一天预约，由物业统一清运。",
        ),
        ("p", "感谢每一位居民的配合。垃圾分类是一件小事，但坚持下去，就能让我们的社区更干净、更美丽。"),
    ],
]

LECTURE_PAGES = [
    [
        ("h", "机器学习课程讲义 第三讲：梯度下降 (Gradient Descent)"),
        ("p", "本讲义为 datamill 示例文档，供课堂讨论使用。"),
        ("h2", "1. 基本思想"),
        (
            "p",
            "训练模型的过程，本质上是寻找一组参数，使损失函数 (loss function) 的值尽可能小。梯度下降的思路很直观：在当前位置计算损失函数对参数的梯度，也就是函数上升最快的方向，然后朝相反方向迈出一小步。不断重复这个过程，参数就会逐渐靠近一个局部最小值。",
        ),
        (
            "p",
            "每一步迈多远，由学习率 (learning rate) 决定。学习率太小，训练会非常缓慢；学习率太大，参数可能在最小值附近来回震荡，甚至发散，出现 loss 变成 NaN 的情况。",
        ),
        ("h2", "2. 批量大小"),
        (
            "p",
            "如果每次都用全部训练数据计算梯度，结果最准确，但计算量太大。实际中通常采用小批量随机梯度下降 (mini-batch SGD)：每次随机抽取一小批样本，例如 batch size 为 32 或 256，用它们的平均梯度来更新参数。这样既能利用 GPU 的并行计算能力，又能在梯度中引入适量噪声，有时反而有助于模型跳出不好的局部区域。",
        ),
    ],
    [
        ("h2", "3. 常见的改进方法"),
        (
            "p",
            "动量法 (Momentum) 会累积过去几步的梯度方向，让参数更新更加平稳；Adam 优化器则为每个参数单独调整学习率，是目前训练 Transformer 模型时最常用的选择之一。配合学习率预热 (warmup) 和余弦衰减 (cosine decay)，通常能得到更稳定的训练曲线。",
        ),
        ("h2", "4. 课后练习"),
        (
            "p",
            "练习一：用 Python 和 NumPy 实现一元线性回归的梯度下降，分别尝试 0.001、0.01 和 0.5 三种学习率，画出 loss 随迭代次数变化的曲线，并说明观察到的现象。",
        ),
        (
            "p",
            "练习二：思考题。为什么在数据中混入大量重复样本，会让模型在这些样本上过拟合？这与数据去重有什么关系？",
        ),
    ],
]

TWO_COL_LEFT = [
    ("h2", "Spring at the Plots"),
    (
        "p",
        "After a wet winter the allotment site is finally drying out, and the first rows of broad beans and early potatoes are already in. Thank you to everyone who came to the February work morning: we cleared the blocked drainage ditch along the eastern fence, repaired two water butts and moved almost three tonnes of woodchip onto the main paths.",
    ),
    (
        "p",
        "The shared tool shed has a new lock. The code is available from the committee, and we ask that tools are cleaned and returned on the same day. The wheelbarrow with the blue handles has a slow puncture, so please use the green one until the new tyre arrives.",
    ),
    ("h2", "Seed Swap Results"),
    (
        "p",
        "This year's seed swap was our busiest yet, with more than forty members bringing packets to exchange. Tomatoes and chillies were the most popular, followed by climbing beans. Leftover seeds are stored in the labelled tin in the shed and are free for anyone to take.",
    ),
]
TWO_COL_RIGHT = [
    ("h2", "Dates for Your Diary"),
    (
        "p",
        "Composting workshop: first Saturday of April, 10 am, by the big bays near the gate. Bring gloves. Plant sale: second Sunday of May, from 11 am, with all proceeds going to the new accessible raised beds.",
    ),
    (
        "p",
        "Open day: the site will be open to visitors on the last Saturday of June. We need volunteers to give short tours and to run the tea stall, so please add your name to the list on the noticeboard.",
    ),
    ("h2", "A Note on Water"),
    (
        "p",
        "Last summer several water butts ran dry during the long hot spell. Please water in the early morning or the evening, when less is lost to evaporation, and mulch your beds to keep moisture in the soil. Hosepipes remain banned on the site except for filling the communal tanks.",
    ),
    (
        "p",
        "Finally, a warm welcome to the eleven new plot holders who joined this winter. If you have questions, any committee member will be happy to help.",
    ),
]
TWO_COL_P2_LEFT = [
    ("h2", "Pest Watch"),
    (
        "p",
        "Slugs are already active on the lower plots near the hedge. Beer traps and regular evening checks work well, and several members have had good results with copper tape around raised beds. Please avoid slug pellets, which can harm the hedgehogs that live along the northern boundary.",
    ),
    (
        "p",
        "Pigeons have stripped some of the purple sprouting broccoli on plots 14 to 18. Netting should be tight and well pegged down so that birds cannot become tangled in it.",
    ),
]
TWO_COL_P2_RIGHT = [
    ("h2", "Recipe Corner"),
    (
        "p",
        "A member's suggestion for the glut of rhubarb that always arrives in April: chop four stalks into short lengths, roast them with two spoonfuls of sugar and a splash of orange juice for fifteen minutes, and serve warm with yoghurt or porridge.",
    ),
    (
        "p",
        "Have a recipe, tip or photo for the summer edition? Leave it in the post box on the shed door or hand it to the newsletter editor at the next work morning.",
    ),
]

CC_RECIPES_PAGES = [
    [
        ("h", "Open Recipes: Three Simple Soups"),
        (
            "p",
            "Licensed under CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/). You may share and adapt these recipes for any purpose, provided you give appropriate credit to the datamill project.",
        ),
        ("h2", "Roasted tomato soup"),
        (
            "p",
            "Halve one kilogram of ripe tomatoes and roast them with two onions, four garlic cloves and a generous spoonful of olive oil at 200 degrees Celsius for forty minutes. Blend with 500 ml of stock, season with salt, pepper and a pinch of sugar, and finish with torn basil leaves.",
        ),
        ("h2", "Red lentil soup"),
        (
            "p",
            "Soften a chopped onion and carrot in a little oil, stir in a teaspoon each of cumin and paprika, then add 200 grams of red lentils and one litre of stock. Simmer for twenty-five minutes until the lentils collapse, and add a squeeze of lemon just before serving.",
        ),
    ],
    [
        ("h2", "Leek and potato soup"),
        (
            "p",
            "Slice three leeks and cook them gently in butter for ten minutes without letting them brown. Add three diced potatoes and one litre of stock, simmer until tender, then blend half of the soup and stir it back into the rest so that it stays chunky.",
        ),
        (
            "p",
            "All three soups freeze well for up to three months. Cool them quickly, freeze in portions and reheat until piping hot.",
        ),
        ("p", "Attribution: Open Recipes by the datamill project, CC BY 4.0."),
    ],
]


def write_pdfs(docs: Path) -> None:
    # 1. English, 3 pages
    doc = pymupdf.open()
    for i, blocks in enumerate(EN_REPORT_PAGES, 1):
        _page(doc, blocks, footer=f"Data Quality Notes | page {i} of {len(EN_REPORT_PAGES)}")
    _pdf_meta(
        doc,
        "Data Quality Notes for Small Language Model Projects",
        "datamill project",
        "Sample English report",
        "data quality; deduplication; filtering",
    )
    _save_pdf(doc, docs / "en_report.pdf")

    # 2. Chinese, 2 pages
    doc = pymupdf.open()
    for i, blocks in enumerate(ZH_GUIDE_PAGES, 1):
        _page(doc, blocks, zh=True, footer=f"社区垃圾分类简明指南  第 {i} 页")
    _pdf_meta(doc, "社区垃圾分类简明指南", "datamill 项目", "示例中文文档", "垃圾分类; 社区")
    _save_pdf(doc, docs / "zh_guide.pdf")

    # 3. Mixed Chinese/English lecture notes, 2 pages
    doc = pymupdf.open()
    for i, blocks in enumerate(LECTURE_PAGES, 1):
        _page(doc, blocks, zh=True, footer=f"Machine Learning Lecture 3 | 第 {i} 页")
    _pdf_meta(
        doc,
        "机器学习课程讲义 第三讲：梯度下降",
        "datamill 项目",
        "Lecture notes (zh/en)",
        "gradient descent; 梯度下降",
    )
    _save_pdf(doc, docs / "zh_en_lecture.pdf")

    # 4. Two-column newsletter, 2 pages
    doc = pymupdf.open()
    gutter, margin = 20, 56
    colw = (A4.width - 2 * margin - gutter) / 2
    for pno, (left, right) in enumerate(
        ((TWO_COL_LEFT, TWO_COL_RIGHT), (TWO_COL_P2_LEFT, TWO_COL_P2_RIGHT)), 1
    ):
        page = doc.new_page(width=A4.width, height=A4.height)
        top = 64
        if pno == 1:
            page.insert_textbox(
                pymupdf.Rect(margin, 50, A4.width - margin, 110),
                "Riverside Allotments Newsletter: Spring Edition",
                fontname="hebo",
                fontsize=18,
                align=pymupdf.TEXT_ALIGN_CENTER,
            )
            page.draw_line((margin, 100), (A4.width - margin, 100), width=0.8)
            top = 112
        _flow(page, left, pymupdf.Rect(margin, top, margin + colw, A4.height - 70))
        _flow(page, right, pymupdf.Rect(margin + colw + gutter, top, A4.width - margin, A4.height - 70))
        page.draw_line(
            (margin + colw + gutter / 2, top), (margin + colw + gutter / 2, A4.height - 80), width=0.4
        )
        page.insert_text(
            (margin, A4.height - 40), f"Riverside Allotments Newsletter | {pno}", fontname="helv", fontsize=8
        )
    _pdf_meta(
        doc,
        "Riverside Allotments Newsletter: Spring Edition",
        "Riverside Allotments Committee (fictional)",
        "Two-column layout sample",
    )
    _save_pdf(doc, docs / "two_column_newsletter.pdf")

    # 5. CC BY 4.0 licensed, licence in metadata (keywords/subject) and text
    doc = pymupdf.open()
    for i, blocks in enumerate(CC_RECIPES_PAGES, 1):
        _page(doc, blocks, footer=f"Open Recipes | CC BY 4.0 | page {i}")
    _pdf_meta(
        doc,
        "Open Recipes: Three Simple Soups",
        "datamill project",
        "Licensed under CC BY 4.0",
        "license: CC BY 4.0; https://creativecommons.org/licenses/by/4.0/; recipes; soup",
    )
    _save_pdf(doc, docs / "cc_by_recipes.pdf")

    # 6. Image-only page: no text layer at all (like an un-OCRed scan)
    doc = pymupdf.open()
    page = doc.new_page(width=A4.width, height=A4.height)
    rng = random.Random(SEED)
    page.draw_rect(pymupdf.Rect(40, 40, A4.width - 40, A4.height - 40), color=(0.85, 0.85, 0.85), width=1)
    y = 80.0
    while y < A4.height - 90:
        x1 = 70 + rng.randint(300, 450)
        page.draw_rect(pymupdf.Rect(70, y, x1, y + 7), color=None, fill=(0.35, 0.35, 0.35))
        y += 16 if rng.random() > 0.15 else 32
    _pdf_meta(
        doc,
        "Scanned letter (no text layer)",
        "datamill project",
        "Image-only sample: extraction should find no text",
    )
    _save_pdf(doc, docs / "scan_no_text.pdf")

    # 7. Encrypted (user password), hand-written for determinism
    (docs / "encrypted.pdf").write_bytes(
        encrypted_pdf(
            [
                [
                    "Quarterly Planning Notes (sample, encrypted)",
                    "",
                    "This document is protected with a user password.",
                    "The datamill pipeline should detect needs_pass and skip it",
                    "unless a password is configured. The password is: datamill",
                ],
                [
                    "Page two.",
                    "",
                    "Action items: review the crawl budget, finish the licence",
                    "detector, and schedule the next deduplication run.",
                ],
            ],
            title="Quarterly Planning Notes",
            author="datamill project",
            user_pw="datamill",
            owner_pw="datamill-owner",
        )
    )

    # 8. Corrupt: a PDF header followed by seeded random bytes
    rng = random.Random(SEED)
    (docs / "corrupt.pdf").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + rng.randbytes(4096))


# Minimal PDF writer with the standard security handler (RC4, 128-bit, V2/R3).
_PDF_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def _rc4(key: bytes, data: bytes) -> bytes:
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) & 0xFF
        s[i], s[j] = s[j], s[i]
    out = bytearray()
    i = j = 0
    for b in data:
        i = (i + 1) & 0xFF
        j = (j + s[i]) & 0xFF
        s[i], s[j] = s[j], s[i]
        out.append(b ^ s[(s[i] + s[j]) & 0xFF])
    return bytes(out)


def _rc4_20(key: bytes, data: bytes) -> bytes:
    for i in range(20):
        data = _rc4(bytes(k ^ i for k in key), data)
    return data


def _pdf_str_escape(s: str) -> bytes:
    b = s.encode("latin-1")
    return b.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def encrypted_pdf(pages: list[list[str]], *, title: str, author: str, user_pw: str, owner_pw: str) -> bytes:
    n = 16
    perms = -4
    file_id = hashlib.md5(b"datamill-sample-encrypted").digest()
    upad = (user_pw.encode("latin-1") + _PDF_PAD)[:32]
    opad = (owner_pw.encode("latin-1") + _PDF_PAD)[:32]
    h = hashlib.md5(opad).digest()
    for _ in range(50):
        h = hashlib.md5(h).digest()
    o_val = _rc4_20(h[:n], upad)
    h = hashlib.md5(upad + o_val + struct.pack("<i", perms) + file_id).digest()
    for _ in range(50):
        h = hashlib.md5(h[:n]).digest()
    key = h[:n]
    u_val = _rc4_20(key, hashlib.md5(_PDF_PAD + file_id).digest()) + bytes(16)

    def obj_key(num: int) -> bytes:
        return hashlib.md5(key + num.to_bytes(3, "little") + (0).to_bytes(2, "little")).digest()[
            : min(n + 5, 16)
        ]

    def enc_str(num: int, s: str) -> bytes:
        return b"<" + _rc4(obj_key(num), s.encode("latin-1")).hex().upper().encode() + b">"

    # object numbers: 1 catalog, 2 pages, 3 font, 4 encrypt, 5 info, then page/content pairs
    objs: dict[int, bytes] = {}
    kids = []
    for i, lines in enumerate(pages):
        pnum, cnum = 6 + 2 * i, 7 + 2 * i
        kids.append(f"{pnum} 0 R")
        content = b"BT /F1 13 Tf 16 TL 72 770 Td\n"
        for line in lines:
            content += b"(" + _pdf_str_escape(line) + b") Tj T*\n"
        content += b"ET\n"
        data = _rc4(obj_key(cnum), content)
        objs[pnum] = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {cnum} 0 R >>"
        ).encode()
        objs[cnum] = f"<< /Length {len(data)} >>\nstream\n".encode() + data + b"\nendstream"
    objs[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objs[2] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(pages)} >>".encode()
    objs[3] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    objs[4] = (
        f"<< /Filter /Standard /V 2 /R 3 /Length 128 /P {perms} /O <{o_val.hex().upper()}> /U <{u_val.hex().upper()}> >>"
    ).encode()
    objs[5] = (
        b"<< /Title "
        + enc_str(5, title)
        + b" /Author "
        + enc_str(5, author)
        + b" /Producer "
        + enc_str(5, "datamill make_sample.py")
        + b" /CreationDate "
        + enc_str(5, PDF_DATE)
        + b" >>"
    )
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for num in sorted(objs):
        offsets[num] = len(out)
        out += f"{num} 0 obj\n".encode() + objs[num] + b"\nendobj\n"
    xref = len(out)
    size = max(objs) + 1
    out += f"xref\n0 {size}\n0000000000 65535 f \n".encode()
    for num in range(1, size):
        out += f"{offsets[num]:010d} 00000 n \n".encode()
    fid = file_id.hex().upper()
    out += f"trailer\n<< /Size {size} /Root 1 0 R /Info 5 0 R /Encrypt 4 0 R /ID [<{fid}> <{fid}>] >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


# ---------------------------------------------------------------------------
# Plain text / markdown / html documents
# ---------------------------------------------------------------------------

NOTES_ZH = """读书笔记：关于专注力的几点思考

最近读了几本关于注意力和工作习惯的书，把其中对我有启发的几点记录下来。

第一，专注不是靠意志力硬撑出来的，而是靠环境设计出来的。把手机放到另一个房间，关掉电脑上不必要的通知，比告诉自己“一定要专心”有效得多。

第二，大块的完整时间比零碎时间珍贵得多。与其每天在会议间隙挤出几个十五分钟，不如每周固定两三个上午，专门用来处理最需要深度思考的工作。

第三，休息也是工作的一部分。连续工作九十分钟左右，注意力会明显下降，这时起身走一走、看看窗外，比硬撑着效率更高。

第四，每天结束时花五分钟写下第二天最重要的一件事。第二天一早先做这件事，哪怕其他计划被打乱，也能保证最关键的进展。

这些方法说起来都很简单，难的是坚持。我打算先从第四条开始试一个月，再回来补充这篇笔记。
"""

NOTES_EN = """# Pipeline planning meeting: notes

*Sample document written for the datamill project.*

## Attendees

- Data team (three people)
- One volunteer from the evaluation group

## Decisions

1. We will keep the raw WARC files for ninety days after processing, then delete them.
2. Exact deduplication runs before near-duplicate detection. Both write a small report.
3. Pages with a `tdm-reservation` header or a `noai` robots directive are excluded
   and counted in the report, not silently dropped.

## Open questions

- Should documents shorter than 200 characters be dropped, or merged with their neighbours?
- How do we handle pages that mix a permissive licence for images with all rights reserved for text?

## Next steps

Everyone reviews fifty random extracted documents before the next meeting and notes
anything that looks wrong. Short comments are fine; the point is to find problems
early, while they are still cheap to fix.

```bash
python -m datamill run configs/sample.yaml
```
"""

PAGE_HTML = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Tool Library FAQ - Elmsworth Community Hub</title>
</head>
<body>
<header><a href="/">Elmsworth Community Hub</a>
<nav><a href="/events">Events</a> | <a href="/rooms">Room hire</a> | <a href="/tools">Tool library</a> | <a href="/volunteer">Volunteer</a></nav>
</header>
<main>
<article>
<h1>Tool Library: Frequently Asked Questions</h1>
<h2>What is the tool library?</h2>
<p>The tool library lends household and garden tools to members, in the same way that a book library lends books. Instead of everyone buying a drill they use twice a year, the community shares a well-maintained collection of more than three hundred items, from ladders and sanders to carpet cleaners and apple pressers.</p>
<h2>How do I join?</h2>
<p>Membership is open to anyone who lives or works in Elmsworth. Bring proof of address to any opening session and fill in a short form. Membership is free, although we welcome donations towards repairs and replacement parts.</p>
<h2>How long can I borrow something for?</h2>
<p>The standard loan period is one week. You can renew once if nobody else has reserved the item. Large items such as the cement mixer and the pressure washer are lent for a weekend at a time so that more people get a chance to use them.</p>
<h2>What happens if something breaks?</h2>
<p>Tell us when you return it. Tools wear out, and honest reporting helps us keep the collection safe. We only ask for a contribution towards repair costs if an item has clearly been misused.</p>
<h2>Can I donate tools?</h2>
<p>Yes, as long as they are in working order and, for power tools, less than ten years old. Our volunteers check every donated item before it goes on the shelves.</p>
</article>
</main>
<footer><p>Elmsworth Community Hub is a registered charity (fictional). Opening hours: Tuesday and Thursday 6 to 8 pm, Saturday 10 am to 1 pm.</p></footer>
</body>
</html>
"""


def write_text_docs(docs: Path) -> None:
    (docs / "notes_zh.txt").write_text(NOTES_ZH, encoding="utf-8")
    (docs / "notes_en.md").write_text(NOTES_EN, encoding="utf-8")
    (docs / "empty.txt").write_bytes(b"")
    (docs / "page.html").write_text(PAGE_HTML, encoding="utf-8")


# ---------------------------------------------------------------------------
# text.jsonl
# ---------------------------------------------------------------------------

JSONL_MALFORMED = '{"text": "这一行的 JSON 没有正确结束，解析时应当报错并被跳过, "url": "https://broken.example.cn/row", "lang": "zh"'


def jsonl_rows() -> list[dict | str]:
    rows: list[dict | str] = [
        {
            "text": "夜跑正在成为不少上班族的运动选择。下班以后，城市的温度降下来，道路也安静了许多。不过，夜跑和白天跑步相比，有一些需要特别注意的地方。首先是安全，尽量选择灯光明亮、行人较多的公园或者专门的跑道，穿着带有反光条的衣服，不要戴着降噪耳机在马路边奔跑。其次，晚饭后至少休息一个小时再出门，跑步强度也不宜过大，否则会影响睡眠。最后，跑完步记得做几分钟拉伸，补充适量的水分，洗个温水澡，再安心入睡。",
            "url": "https://notes.example.cn/health/night-running.html",
            "title": "夜跑的几点建议",
            "lang": "zh",
        },
        {
            "text": "Keeping a reading journal does not need to be complicated. After finishing each book, write down the title, the date and three sentences: what the book was about, what surprised you, and one idea you want to remember.\nOver a year, these short entries add up to a surprisingly useful record. You will notice patterns in what you choose to read, rediscover ideas you had forgotten, and find it much easier to recommend books to friends.\nSome people prefer a paper notebook, others a simple text file. The format matters far less than the habit. If three sentences feel like too much, start with one. The goal is to read a little more attentively, not to produce a literary review.",
            "url": "https://notes.example.com/habits/reading-journal",
            "title": "Keeping a Reading Journal",
            "lang": "en",
        },
        {
            # == trafilatura.extract() default output for the WARC page: h1 title line + body
            "text": EN_TIDES.title + "\n" + EN_TIDES.text,
            "url": "https://aggregator.example.net/science/two-high-tides",
            "title": EN_TIDES.title,
            "lang": "en",
        },
        {
            "text": "二十四节气是古人根据太阳在黄道上的位置划分出来的时间节点，用来指导农事活动。从立春开始，依次经过雨水、惊蛰、春分、清明、谷雨等，到大寒结束，正好是一年，每个节气大约相隔十五天。虽然现代人的生活已经不再完全依赖农耕，但很多节气习俗依然流传至今，比如立春吃春饼、清明踏青、冬至吃饺子或汤圆。这些习俗让人们在忙碌的日子里，也能感受到季节的变化。",
            "url": "https://notes.example.cn/culture/solar-terms.html",
            "title": "二十四节气小知识",
            "lang": "zh",
        },
        {
            "text": "",
            "url": "https://empty.example.com/blank",
            "title": "Untitled",
            "lang": "en",
        },
        JSONL_MALFORMED,
        {
            "text": "To descale a kettle, fill it about halfway with a mixture of equal parts water and white vinegar, or use water with two tablespoons of citric acid. Bring it to the boil, switch it off and leave it to stand for an hour. Pour the liquid away, then rinse the kettle thoroughly and boil it twice with clean water to remove any lingering taste. In hard-water areas, repeating this once a month keeps the element free of limescale, which helps the kettle heat faster and use a little less electricity.",
            "url": "https://notes.example.com/home/descale-kettle",
            "title": "How to Descale a Kettle",
            "lang": "en",
        },
        {
            "text": "JSONL 是一种每行一个 JSON 对象的文本格式，常用于存储大规模的训练数据。在 Python 中读取 JSONL 文件非常简单：逐行打开文件，对每一行调用 json.loads 即可。需要注意的是，实际数据中可能混有空行或者格式错误的行，稳妥的做法是用 try 语句捕获解析异常，记录出错的行号，然后跳过这一行继续处理，而不是让整个程序中断。",
            "url": "https://notes.example.cn/dev/read-jsonl.html",
            "title": "在 Python 中读取 JSONL 文件",
            "lang": "zh",
        },
        {
            "text": "Click here to continue. Click here.",
            "url": "https://notes.example.com/redirect",
            "title": "Redirect",
            "lang": "en",
        },
        {
            "text": "今天白天多云转晴，最高气温十八摄氏度，最低气温九摄氏度，东南风二到三级。明天有小雨，出门请带好雨具。",
            "url": "https://notes.example.cn/weather/today.html",
            "title": "今日天气",
            "lang": "zh",
        },
        {
            "text": "A public library is one of the few indoor places where nobody expects you to buy anything. You can sit for an afternoon, read a newspaper, use a computer, attend a free talk or simply stay warm, and nobody will ask you to move along.\nThat quiet generosity is easy to take for granted. Libraries today lend far more than books: in many towns they offer help with job applications, language classes, toddler reading sessions and access to printers and scanners for people who have none at home.\nThey also keep local memory. Old photographs, parish records, maps and school magazines often survive only because a librarian decided they were worth keeping. When people argue about budgets, it is worth remembering that a library is not a shop full of books but a shared room for a whole community.",
            "url": "https://notes.example.com/essays/public-libraries",
            "title": "In Praise of Public Libraries",
            "lang": "en",
        },
        {
            "text": CONTACT_EN,
            "url": "https://choir.example.com/contact",
            "title": "Contact the Elmsworth Community Choir",
            "lang": "en",
        },
        {
            "text": CONTACT_ZH,
            "url": "https://club.example.cn/join.html",
            "title": "青禾市读书会报名须知",
            "lang": "zh",
        },
        {
            "text": QUIZ_PAGE,
            "url": "https://quiz.example.net/tides/week-3",
            "title": "Weekly quiz: tides",
            "lang": "en",
        },
    ]
    return rows


# planted contact details (fictional: Ofcom's drama range 020 7946 0xxx, NANP 555-01xx, the
# standard example IBAN and identity number, the well-known test card, example.* hosts)
CONTACT_EN = (
    "The Elmsworth Community Choir rehearses every Thursday evening in the old school hall on "
    "Mill Lane, and new voices are always welcome, whether you have sung for years or only in the "
    "shower.\nIf you would like to join, write to our secretary at jane.doe@choir.example.com or "
    "call her on +44 20 7946 0321 between six and eight in the evening. Our friends in the United "
    "States can reach the exchange programme on (212) 555-0187.\nThe yearly subscription of forty "
    "pounds can be paid by bank transfer to IBAN GB82 WEST 1234 5698 7654 32, or at the door by "
    "card. Please never send card details such as 4111 1111 1111 1111 by e-mail.\nPress enquiries "
    "go to press@choir.example.org, which is public and read by the whole committee."
)
CONTACT_ZH = (
    "青禾市读书会每月第一个周六下午在市图书馆三楼活动室举行，欢迎所有喜欢读书的朋友参加。"
    "报名时请填写姓名和联系方式，我们会在活动前一周发送书目和讨论提纲。\n"
    "报名联系人：王老师，手机13900000000，邮箱wang.laoshi@club.example.cn。"
    "办理借阅证需要出示身份证，身份证号11010519491231002X仅作为填写示例，请勿照抄。\n"
    "活动免费，茶水自备。如遇恶劣天气，活动顺延一周，具体安排以读书会公众号通知为准。"
)
# the first item of benchmarks/quiz.jsonl, copied into a page as a contaminated corpus would
QUIZ_ITEMS = [
    {
        "id": "tides-001",
        "question": "Why do most coasts of Port Merrow see two high tides every day rather than one, "
        "and which body pulls the ocean into the second bulge on the side of the Earth facing away "
        "from the Moon?",
        "answer": "The Earth and Moon orbit a common centre; the far bulge is left behind by that motion.",
    },
    {
        "id": "kettle-002",
        "question": "Which household acid removes limescale from an electric kettle without "
        "damaging its heating element, and how long should it be left before rinsing twice?",
        "answer": "White vinegar or citric acid, left for about an hour.",
    },
    {
        "id": "jieqi-003",
        "question": "二十四节气中，哪一个节气标志着一年中白昼最长、黑夜最短，古人又是如何用圭表测量日影来确定它的日期的？",
        "answer": "夏至；正午日影最短的那一天。",
    },
]
QUIZ_PAGE = (
    "Welcome back to our weekly quiz. This week we look at the sea, and at the questions readers "
    "sent in after our walk along the harbour wall.\nQuestion one. "
    + QUIZ_ITEMS[0]["question"]
    + "\nAnswer: "
    + QUIZ_ITEMS[0]["answer"]
    + "\nSend your own questions for next week through the form on the quiz page."
)


def write_benchmarks(folder: Path) -> None:
    """A tiny benchmark for the decontaminate stage (one item per JSONL line)."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(item, ensure_ascii=False) for item in QUIZ_ITEMS]
    (folder / "quiz.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_jsonl(path: Path) -> None:
    lines = []
    for row in jsonl_rows():
        lines.append(row if isinstance(row, str) else json.dumps(row, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# ---------------------------------------------------------------------------
# README
# ---------------------------------------------------------------------------


def _count(a: Article) -> str:
    if a.lang == "zh":
        n = len(re.sub(r"\s", "", a.text))
        return f"{n} chars"
    return f"{len(a.text.split())} words"


def write_readme(path: Path, layout: WarcLayout, sizes: dict[str, int]) -> None:
    rows = []
    for i, r in enumerate(layout.records, 1):
        size = _count(r.article) if r.article else "-"
        hdr = r.content_type + "".join(f"; {k}: {v}" for k, v in r.extra_headers)
        rows.append(
            f"| {i} | `{r.url}` | {r.lang or '-'} | {size} | `{hdr}` | {r.licence} | {r.case} | {r.expected} |"
        )
        if r.url == BROKEN_AFTER_URL:
            rows.append(
                f"| - | `{BROKEN_URL}` | - | - | - | - | **BROKEN RECORD** (byte offset {layout.broken_offset}, "
                f"{layout.broken_length} bytes): valid gzip member, WARC version line `WRAC/1.0`, Content-Length `12O4` | "
                "reader reports the error, skips this gzip member and continues with the next one |"
            )
    rows.append(
        f"| - | `{TRUNCATED_URL}` | zh | - | `text/html; charset=utf-8` | - | **TRUNCATED RECORD** at end of file "
        f"(byte offset {layout.truncated_offset}): gzip member cut after {layout.truncated_kept} of "
        f"{layout.truncated_full_length} bytes, no request record | reader reports/ignores it; no document emitted |"
    )
    n_ok = len(layout.records)
    urls = [r.url for r in layout.records]
    n_after_broken = n_ok - 1 - urls.index(BROKEN_AFTER_URL)
    n_before_broken = 1 + 2 * (urls.index(BROKEN_AFTER_URL) + 1)  # warcinfo + request/response pairs
    table = "\n".join(rows)
    files = "\n".join(f"| `{name}` | {size:,} |" for name, size in sorted(sizes.items()))
    text = f"""# datamill sample corpus

Generated by `data/make_sample.py` (deterministic; re-running it reproduces these
files byte for byte). Do not edit by hand: change the script and re-run it.

## Licence and provenance

All text in this folder is **original text written by the datamill project** for
testing. It is not copied from any web page, book or publisher. Every town
(Elmsworth, 青禾市, Ashford Vale, Port Merrow ...), person, shop, forum user and
publisher is fictional; "Jane Doe" is a placeholder name. All hosts are under
`example.*` domains. The whole folder is dedicated to the public domain under
**CC0-1.0** (https://creativecommons.org/publicdomain/zero/1.0/) and may be
redistributed freely.

The licence statements *inside* the sample pages (CC BY-SA 4.0, CC BY 4.0,
"All rights reserved", `tdm-reservation`, `noai`) are test fixtures that the
pipeline is supposed to detect; they do not describe the licence of this folder.

## Files

| file | bytes |
|---|---|
{files}

* `web.warc.gz`: gzip-per-record WARC/1.0 written with warcio: 1 `warcinfo`,
  {n_ok} request/response pairs, 1 malformed record in the middle and 1
  truncated record at the end (details below). WARC-Dates start at
  2025-03-15T08:00:37Z and advance 37 s per page; record ids are uuid5 values;
  IPs are from TEST-NET-1 (192.0.2.0/24).
* `docs/`: PDFs and loose documents (see below).
* `text.jsonl`: pre-extracted text rows (see below).
* `benchmarks/quiz.jsonl`: a tiny benchmark the quickstart decontaminates against (see below).

## web.warc.gz: records in file order

| # | WARC-Target-URI | lang | size of body | HTTP Content-Type (+extra headers) | licence signal | planted case | expected outcome |
|---|---|---|---|---|---|---|---|
{table}

### Planted cases at a glance

* **Exact duplicates** (the `<article>` element is byte-identical, only the
  site chrome around it differs):
  `https://mirror.example.net/tech/2025/0312/llm-training.html` = copy of
  `https://news.example.cn/2025/0312/llm-training.html`;
  `https://reader.example.com/saved/what-is-a-token` = copy of
  `https://blog.example.com/posts/what-is-a-token`.
  Also `text.jsonl` row 3 (`https://aggregator.example.net/science/two-high-tides`)
  repeats `https://science.example.org/earth/two-high-tides`: its text is the
  h1 title line followed by the body paragraphs joined with `\\n`, which is
  exactly what `trafilatura.extract()` (2.3, default options) returns for that
  page. Without its first line it equals the plain article body.
  With trafilatura 2.3 defaults both WARC exact-duplicate pairs also extract to
  identical strings.
* **Near duplicates**:
  `https://m.news.example.cn/2025/0315/metro-line5.html` (one sentence changed:
  二十六公里/十九座 -> 二十七公里/二十座) of `https://news.example.cn/2025/0315/metro-line5.html`;
  `https://recipes.example.net/shared/sourdough-without-stress` (one sentence
  added to paragraph 5) of `https://food.example.com/baking/sourdough-without-stress`;
  `https://finance.example.cn/auto/battery-recycling.html` (paragraph 5 moved to
  position 3, different site chrome, no in-article boilerplate) of
  `https://news.example.cn/2025/0314/battery-recycling.html`.
* **Repeated in-article boilerplate** (inside `<article>`, so extractors keep it):
  every news.example.cn / m.news.example.cn article ends with `编辑：…`,
  `扫码关注我们的公众号，获取更多资讯` and a `相关阅读` link list (also on the
  mirror copy); blog.example.cn articles end with `如果觉得本文有帮助，欢迎点赞、收藏、转发。`;
  blog.example.com, reader.example.com and news.example.com articles end with
  `Subscribe to our newsletter for weekly updates.`
* **Encodings**: `https://food.example.cn/recipe/tomato-egg.html` GBK (header +
  meta http-equiv); `https://travel.example.cn/notes/dali-autumn.html` GBK
  (header `charset=GBK` only, no meta); `https://blog.example.cn/posts/asyncio-intro.html`
  GB2312 (header `text/html` without charset, only `<meta charset="gb2312">`);
  `https://cafe.example.co.uk/food/market-lane-cafe.html` ISO-8859-1 (café,
  naïve, £3.20, crème brûlée, façade, ½). All other pages are UTF-8, some with
  header charset, some with only a meta charset
  (`https://culture.example.cn/tea/four-seasons.html`, `https://mirror.example.net/...`).
* **Licences**: CC BY-SA 4.0 (`rel="license"` link + sentence "This work is
  licensed under a Creative Commons Attribution-ShareAlike 4.0 International
  License.") on `https://science.example.org/earth/two-high-tides`; CC BY 4.0
  Chinese statement "本文采用 知识共享署名 4.0 国际许可协议 (CC BY 4.0) 进行许可" on
  `https://kepu.example.cn/physics/why-sky-blue.html`; all rights reserved
  "版权所有 © 2025 示例新闻网 未经许可不得转载" on every news.example.cn page and
  "© 2025 Example Media Ltd. All rights reserved." on every news.example.com page.
* **Licence trap**: `https://news.example.com/environment/herons-return-quarry-lake`
  has an `<img>` with the caption "Photo: Jane Doe / CC BY 2.0" (linked to the
  CC BY 2.0 deed, no `rel="license"`); the page itself is all rights reserved.
  Expected licence: all-rights-reserved, never CC BY 2.0.
* **Opt-outs**: `https://money.example.com/budgeting/simple-budget` is served
  with the HTTP header `tdm-reservation: 1`;
  `https://garden.example.org/guides/small-garden-compost` has
  `<meta name="robots" content="noai, noimageai">`. Both should be excluded.
* **Spam**: `https://bestdeals.example.net/cheap-pills-online.html` (English
  keyword stuffing) and `https://lottery.example.cn/zhongjiang/index.html`
  (Chinese lottery/gambling ad lines). Both should fail quality filters.
* **No text**: `https://www.example.com/` is navigation only ("Loading...").
* **Non-HTML**: `https://blog.example.com/static/logo.png` is an 8x8 PNG
  (`Content-Type: image/png`).
* **Broken record in the middle** (byte offset {layout.broken_offset}): after
  the response for `{BROKEN_AFTER_URL}`. The gzip member itself is valid, but
  the WARC record inside starts with `WRAC/1.0` and has `Content-Length: 12O4`.
  warcio's `ArchiveIterator` yields the {n_before_broken} records before it and then raises
  `warcio.exceptions.ArchiveLoadFailed: Invalid WARC record, first line: WRAC/1.0`.
  All following gzip members are valid: a robust reader can seek to the next
  gzip member header (`1f 8b 08`) after the failing offset, e.g. offset
  {layout.broken_offset + layout.broken_length}, and start a new
  `ArchiveIterator` there. A reader that simply stops at the error loses the
  {n_after_broken} records after it.
* **Truncated record at the end** (byte offset {layout.truncated_offset}): a
  response for `{TRUNCATED_URL}` whose gzip member is cut after 60 % of its
  bytes (no request record precedes it). warcio 1.8.1 does **not** raise here:
  it yields the response with a short payload (fewer bytes than its HTTP
  `Content-Length`, ending in the middle of a UTF-8 character, so a strict
  decode fails). Where the cut falls decides what warcio does (in experiments
  other cut points gave no record at all or an empty one), so readers should
  compare payload length with `Content-Length` or check the digest
  (`ArchiveIterator(..., check_digests=True)`).
  FastWARC 2.0 behaves like warcio at the broken middle record: it stops with
  `OSError: Invalid WARC header` after the same {n_before_broken} records.

### What trafilatura 2.3 does with these pages (default options)

* Main text is found on every article page; the h1 title is the first line and
  the byline is dropped.
* In-article boilerplate that survives: `编辑：…`, `扫码关注我们的公众号，获取更多资讯`,
  `如果觉得本文有帮助，欢迎点赞、收藏、转发。`, `Subscribe to our newsletter for weekly updates.`,
  `喜欢这道菜？欢迎收藏本页，下次做饭不迷路。`. The `相关阅读` / "Related posts"
  link lists are already removed by trafilatura.
* The licence trap's `<figcaption>` ("Photo: Jane Doe / CC BY 2.0") is dropped,
  and the CC BY-SA and all-rights-reserved statements live in `<footer>`, so
  licence detection has to look at the raw HTML (and headers), not only at the
  extracted text.
* The Chinese CC BY 4.0 statement is inside `<article>` and stays in the text.
* `https://www.example.com/` yields about 24 words of menu labels ("Products
  Overview Pricing ... Loading..."), not an empty string.
* Near-duplicate pairs have a 5-shingle Jaccard similarity of 0.95 to 0.97 on
  the extracted text (character 5-grams for Chinese, word 5-grams for English).

## docs/

| file | what it is | expected |
|---|---|---|
| `en_report.pdf` | English, 3 pages, title/author metadata | 3 pages of text |
| `zh_guide.pdf` | Chinese (font `china-s`), 2 pages, metadata | 2 pages of Chinese text |
| `zh_en_lecture.pdf` | mixed Chinese/English lecture notes (learning rate, GPU, Transformer), 2 pages | 2 pages |
| `two_column_newsletter.pdf` | English two-column layout, 2 pages | columns read left column then right column, not interleaved line by line |
| `cc_by_recipes.pdf` | English, 2 pages; metadata subject "Licensed under CC BY 4.0", keywords contain the licence URL; licence also stated in the text | licence = CC-BY-4.0 |
| `scan_no_text.pdf` | 1 page of drawn grey bars, no text layer (like an un-OCRed scan) | opens fine, extracted text is empty -> dropped |
| `encrypted.pdf` | 2 pages, RC4-128 encrypted, user password `datamill` | `needs_pass` is true -> skipped (or opened with the password) |
| `corrupt.pdf` | `%PDF-1.7` header followed by 4096 seeded random bytes | `pymupdf.open()` raises `FileDataError` -> reported and skipped |
| `notes_zh.txt` | Chinese plain text (UTF-8) | keep |
| `notes_en.md` | English Markdown with lists and a code block | keep |
| `empty.txt` | empty file (0 bytes) | skipped, no crash |
| `page.html` | standalone English HTML page (FAQ) with header/nav/footer | main text extracted |

## text.jsonl

14 lines, fields `text`, `url`, `title`, `lang`:

1. zh, night running tips
2. en, reading journal
3. en, **exact duplicate** of the body of `https://science.example.org/earth/two-high-tides`
4. zh, 二十四节气
5. en, **empty text** (`"text": ""`)
6. **malformed JSON line** (unterminated string / object): must be reported and skipped
7. en, descaling a kettle
8. zh, reading JSONL in Python
9. en, "Click here to continue. Click here." (too short, should fail length filters)
10. zh, short weather note (very short)
11. en, essay on public libraries
12. en, choir contact page: **planted contact details** (e-mail, UK and US phone numbers, the
    standard example IBAN, the test Visa card) and an allow-listed public press address
13. zh, reading-club sign-up: **planted** mobile number, e-mail and the standard example identity number
14. en, weekly quiz page: **planted benchmark item** `tides-001` of `benchmarks/quiz.jsonl`, verbatim

## benchmarks/quiz.jsonl

3 quiz items (`id`, `question`, `answer`; two English, one Chinese) for the `decontaminate`
stage; the first is copied into `text.jsonl` row 14.
"""
    path.write_text(text, encoding="utf-8")


# ---------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "sample")
    args = ap.parse_args()
    out: Path = args.out
    docs = out / "docs"
    docs.mkdir(parents=True, exist_ok=True)

    layout = write_warc(out / "web.warc.gz")
    write_pdfs(docs)
    write_text_docs(docs)
    write_jsonl(out / "text.jsonl")
    write_benchmarks(out / "benchmarks")

    sizes = {}
    for p in sorted(out.rglob("*")):
        if p.is_file() and p.name != "README.md":
            sizes[str(p.relative_to(out))] = p.stat().st_size
    write_readme(out / "README.md", layout, sizes)

    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"wrote {len(sizes) + 1} files to {out} ({total:,} bytes)")
    print(f"broken WARC member at offset {layout.broken_offset} ({layout.broken_length} bytes)")
    print(f"truncated WARC member at offset {layout.truncated_offset}")


if __name__ == "__main__":
    main()

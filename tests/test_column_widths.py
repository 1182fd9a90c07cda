"""Columns of a 日常巡检记录 table are sized from what they hold; a URL stays readable.

Word: the columns a ``{%tc for %}`` loop makes (and a fixed column empty below
its header) share the table's width by their content (``_spread_columns``).
Excel: a result holding a URL is on a line of its own in the 检查结果 cell.
"""

from __future__ import annotations

from lxml import etree

from app.export import docx_render as dr
from app.export.build import cell_summary

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
URL = "http://www.example.gov.local/col/col6603/index.html"


def _table(fixed: list[int], loop_at: int, rows: list[list[str]], total: int) -> etree._Element:
    """A rendered table: grid of the template (loop marked), cells as the loop made them."""
    grid = [*fixed[:loop_at], *[int(dr.LOOP_MARK)] * 3, *fixed[loop_at:]]
    cols = "".join(f'<w:gridCol w:w="{w}"/>' for w in grid)
    trs = "".join(
        "<w:tr>"
        + "".join(
            f'<w:tc><w:tcPr><w:tcW w:w="1" w:type="dxa"/></w:tcPr><w:p><w:r><w:t>{t}</w:t>'
            "</w:r></w:p></w:tc>"
            for t in row
        )
        + "</w:tr>"
        for row in rows
    )
    xml = (
        f'<w:tbl xmlns:w="{W}"><w:tblPr><w:tblW w:w="{total}" w:type="dxa"/></w:tblPr>'
        f"<w:tblGrid>{cols}</w:tblGrid>{trs}</w:tbl>"
    )
    return etree.fromstring(xml.encode())


def _widths(tbl: etree._Element) -> list[int]:
    return [int(c.get(f"{{{W}}}w")) for c in tbl.iter(f"{{{W}}}gridCol")]


def test_pieces_that_may_not_break() -> None:
    latin, cjk = dr._LATIN_TWIPS, dr._CJK_TWIPS
    # a URL breaks after / or . only: its widest piece is 「col6603/」
    assert dr._min_twips(URL) == len("col6603/") * latin
    assert dr._min_twips("2026-10-08") == 10 * latin  # a date stays whole
    assert dr._min_twips("郭子墨") == 3 * cjk  # a name stays whole
    assert dr._min_twips("系统首页打开超时") == cjk  # a sentence breaks anywhere
    assert dr._min_twips("访问流量", words=False) == cjk  # a header may wrap by character


def test_loop_columns_share_the_room_by_content() -> None:
    # 日期 | 系统 (empty below its header) | 4 loop columns | 巡检人
    head = ["日期", "系统", "HTTP 可用性", "死链检测", "访问流量", "安全监测", "巡检人"]
    rows = [head] + [["2026-10-08", "", "正常", f"{URL}（正常）", "正常", "正常", "郭子墨"]] * 3
    total = 14_000
    tbl = _table([1417, 1474, 1020], 2, rows, total)
    dr._spread_columns(tbl)
    widths = _widths(tbl)
    assert len(widths) == 7 and sum(widths) <= total and sum(widths) > total - 10
    url_col = widths[3]
    # the URL gets the room to print on a few lines (up to _MAX_WANT wide), not 4 characters
    assert url_col >= dr._MAX_WANT + dr._CELL_PAD
    assert url_col == max(widths)
    # the empty 系统 column shrinks below its template width; 日期 keeps room for a whole date
    assert widths[1] < 1474
    assert widths[0] >= 10 * dr._LATIN_TWIPS + dr._CELL_PAD
    # every cell's own width follows its column
    for tr in tbl.iter(f"{{{W}}}tr"):
        cells = [int(tc.find(f"{{{W}}}tcPr/{{{W}}}tcW").get(f"{{{W}}}w")) for tc in tr]
        assert cells == widths


def test_room_goes_tier_by_tier() -> None:
    # without room for the least, the least are scaled down
    assert dr._sized([(1000, 2000), (3000, 3000)], 2000) == [500, 1500]
    # least 100 + 100; tier 1: 200 to the first (wants 300); tier 2: the 600 left to the second
    assert dr._sized([(100, 300, 300), (100, 100, 900)], 1000) == [300, 700]
    # all satisfied: the rest in proportion to the last tier
    assert dr._sized([(100, 200), (100, 200)], 1000) == [500, 500]


def test_excel_puts_a_url_result_on_its_own_line() -> None:
    summary = cell_summary(["可用性", "死链检测", "访问流量"], ["正常", f"{URL}（正常）", "正常"])
    assert summary.split("\n") == ["可用性：正常", f"死链检测：{URL}（正常）", "访问流量：正常"]
    assert cell_summary(["甲", "乙", "丙"], ["正常", "", "异常"]) == "甲：正常；丙：异常"


def test_every_column_gets_a_few_characters_before_a_url_gets_more() -> None:
    """internet-om's 运行监测检查, 13 items in landscape: 「0 个（正常）」 printed one character a
    line while the 死链检测 column kept its URL on one line."""
    items = ["HTTP(s) 可用性", "PING 连通性", "DNS 解析", "FTP/TCP/UDP 服务探测", "SMTP 邮件服务"]
    items += ["网站首页响应时间", "死链检测", "死链数量", "访问流量", "数据库监测", "服务器监测"]
    items += ["安全监测", "异常记录和异常跟踪"]
    head = ["日期", "系统", *items, "异常情况及处理", "巡检人"]
    values = ["正常"] * 5 + ["749ms（正常）", f"{URL}（正常）", "0 个（正常）"]
    values += ["正常"] * 4 + ["无新增异常。"]
    note = "死链数量：死链数量 4 个，达到警告阈值 1 个；处理：已逐条核查并处理，复查正常"
    rows = [head] + [["2026-10-26", "", *values, note, "郭子墨"]] * 4
    tbl = _table([1474, 567, 2200, 900], 2, rows, 14_000)
    dr._spread_columns(tbl)
    widths = dict(zip(head, _widths(tbl), strict=True))
    assert 14_000 - len(head) <= sum(widths.values()) <= 14_000  # what rounding down leaves
    assert widths["死链数量"] >= 3 * dr._CJK_TWIPS + dr._CELL_PAD  # was 595: 「0 个（正常）」 in 6
    assert widths["死链检测"] > widths["死链数量"]  # the URL still gets what is left over


def test_a_row_of_one_cell_spans_the_columns_the_loop_made() -> None:
    """The notes under a row of a many-item daily check (docx_kit's ``note_row``): its
    template span counted the loop's three marker columns; it spans all of them."""
    head = ["日期", "系统", "可用性", "死链检测", "巡检人"]
    rows = [head, ["2026-10-08", "—", "异常", f"{URL}（正常）", "郭子墨"]]
    tbl = _table([1417, 1474, 1020], 2, rows, 14_000)
    note = (
        '<w:tr xmlns:w="{W}"><w:tc><w:tcPr><w:tcW w:w="1" w:type="dxa"/>'
        '<w:gridSpan w:val="6"/></w:tcPr><w:p><w:r><w:t>异常情况及处理：超时</w:t></w:r></w:p>'
        "</w:tc></w:tr>"
    ).replace("{W}", W)
    tbl.append(etree.fromstring(note.encode()))
    dr._spread_columns(tbl)
    cell = tbl.findall(f"{{{W}}}tr")[-1].find(f"{{{W}}}tc/{{{W}}}tcPr")
    assert cell.find(f"{{{W}}}gridSpan").get(f"{{{W}}}val") == str(len(head))
    assert cell.find(f"{{{W}}}tcW").get(f"{{{W}}}w") == "14000"
    assert len(_widths(tbl)) == len(head)

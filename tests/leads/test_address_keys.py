"""Address, city and postcode keys for duplicate detection (leads.identity.address).
Pure functions: no database, no tenant."""

import pytest

from leads.identity.address import (
    Address,
    address_key,
    address_known,
    address_parse,
    address_similarity,
    city_key,
    city_similarity,
    postcode_key,
    postcode_similarity,
)

# --- address_parse: Western -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12224 Ventura Blvd.", Address("12224", ("ventura", "blvd"), "", "", "", "")),
        ("435 S. La Cienega Blv.", Address("435", ("s", "la", "cienega", "blvd"), "", "", "", "")),
        (
            "435 south la cienega boulevard #5",
            Address("435", ("s", "la", "cienega", "blvd"), "5", "", "", ""),
        ),
        # Australian unit/number
        ("3/12 Main St", Address("12", ("main", "st"), "3", "", "", "")),
        ("unit 3/12 main street", Address("12", ("main", "st"), "3", "", "", "")),
        ("12 main st apt 5", Address("12", ("main", "st"), "5", "", "", "")),
        ("12 Main Street, Unit 5", Address("12", ("main", "st"), "5", "", "", "")),
        ("12 main st # 5", Address("12", ("main", "st"), "5", "", "", "")),
        (
            "Suite 200, 100 George St, Sydney NSW 2000",
            Address("100", ("george", "st"), "200", "", "sydney", "nsw"),
        ),
        ("Level 3, 100 George St", Address("100", ("george", "st"), "fl3", "", "", "")),
        ("2nd floor, 12 main st", Address("12", ("main", "st"), "fl2", "", "", "")),
        # glued street types
        ("25 Pridhamstreet", Address("25", ("pridham", "st"), "", "", "", "")),
        ("Hauptstraße 5, 10115 Berlin", Address("5", ("haupt", "st"), "", "", "berlin", "")),
        ("Hauptstr. 5", Address("5", ("haupt", "st"), "", "", "", "")),
        # ordinals
        ("10 Fifth Avenue", Address("10", ("5th", "ave"), "", "", "", "")),
        ("10 5th Ave", Address("10", ("5th", "ave"), "", "", "", "")),
        # UK, with a flat and a postcode
        (
            "Flat 3, 221B Baker Street, London NW1 6XE",
            Address("221b", ("baker", "st"), "3", "", "london", ""),
        ),
        ("221 b baker st", Address("221b", ("baker", "st"), "", "", "", "")),
        ("12, High Street, Oxford", Address("12", ("high", "st"), "", "", "oxford", "")),
        ("12 Saint Kilda Road", Address("12", ("st", "kilda", "rd"), "", "", "", "")),
        ("12 N Main St NW", Address("12", ("n", "main", "st", "nw"), "", "", "", "")),
        (
            "12224 Ventura Blvd, Studio City, CA 91604, USA",
            Address("12224", ("ventura", "blvd"), "", "", "studiocity", "ca"),
        ),
        ("No. 88, Zhangjiang Road", Address("88", ("zhangjiang", "rd"), "", "", "", "")),
        ("１２ Ｍａｉｎ Ｓｔ", Address("12", ("main", "st"), "", "", "", "")),
    ],
)
def test_western_addresses_are_parsed(text, expected):
    assert address_parse(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "n/a", "N.A.", "none", "Pudong", "Rose Cottage"])
def test_text_without_a_street_parses_to_nothing_known(text):
    assert not address_known(address_parse(text))


def test_city_and_region_arguments_fill_what_the_text_lacks():
    assert address_parse("12 main st", "Los Angeles", "CA") == Address(
        "12", ("main", "st"), "", "", "losangeles", "ca"
    )
    # the text wins over the arguments
    assert address_parse("12 Main St, Springfield, IL 62701", "Chicago").city == "springfield"
    assert address_parse("张江路88号", "上海").province == "上海"
    assert address_parse("南山区科苑路15号", "深圳市", "广东省") == Address(
        "15", ("科苑", "路"), "", "南山", "深圳", "广东"
    )


# --- address_parse: Chinese -----------------------------------------------------------------

_ZHANGJIANG_88 = Address("88", ("张江", "路"), "", "浦东", "上海", "上海")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("上海市浦东新区张江路88号", _ZHANGJIANG_88),
        ("上海浦东张江路88号", _ZHANGJIANG_88),
        ("中国上海市浦东新区张江路88号（近祖冲之路）", _ZHANGJIANG_88),
        ("浦东新区张江路88号", Address("88", ("张江", "路"), "", "浦东", "", "")),
        ("浦东张江路88号", Address("88", ("张江", "路"), "", "浦东", "", "")),
        # full-width digits, building and room
        (
            "上海市浦东新区张江路８８号３号楼５０１室",
            Address("88", ("张江", "路"), "3栋501", "浦东", "上海", "上海"),
        ),
        # lane and house: 88弄3号 and 88-3号 are one number
        ("张江路88弄3号", Address("88-3", ("张江", "路"), "", "", "", "")),
        ("张江路88-3号", Address("88-3", ("张江", "路"), "", "", "", "")),
        (
            "广东省深圳市南山区科技园科苑路15号",
            Address("15", ("科苑", "路"), "", "南山", "深圳", "广东"),
        ),
        (
            "深圳南山区科苑路15号A座1201室",
            Address("15", ("科苑", "路"), "a栋1201", "南山", "深圳", ""),
        ),
        (
            "北京市朝阳区建国路88号12楼1201",
            Address("88", ("建国", "路"), "12层1201", "朝阳", "北京", "北京"),
        ),
        (
            "中国上海市浦东新区陆家嘴街道世纪大道100号",
            Address("100", ("世纪", "大道"), "", "浦东", "上海", "上海"),
        ),
        (
            "上海市浦东新区张江高科技园区碧波路690号",
            Address("690", ("碧波", "路"), "", "浦东", "上海", "上海"),
        ),
        (
            "江苏省苏州市昆山市前进中路1号",
            Address("1", ("前进中", "路"), "", "昆山", "苏州", "江苏"),
        ),
        (
            "新疆维吾尔自治区乌鲁木齐市天山区解放北路1号",
            Address("1", ("解放北", "路"), "", "天山", "乌鲁木齐", "新疆"),
        ),
        (
            "吉林省吉林市船营区解放大路1号",
            Address("1", ("解放大", "路"), "", "船营", "吉林", "吉林"),
        ),
        # a road named like a district or a city is a road
        ("上海市长宁路1018号", Address("1018", ("长宁", "路"), "", "", "上海", "上海")),
        ("上海路88号", Address("88", ("上海", "路"), "", "", "", "")),
        ("中山北路3663号", Address("3663", ("中山北", "路"), "", "", "", "")),
        ("广州天河路385号", Address("385", ("天河", "路"), "", "", "广州", "")),
        (
            "北京市海淀区中关村大街27號",
            Address("27", ("中关村", "大街"), "", "海淀", "北京", "北京"),
        ),
        ("Room 501, 张江路88号", Address("88", ("张江", "路"), "501", "", "", "")),
    ],
)
def test_chinese_addresses_are_parsed(text, expected):
    assert address_parse(text) == expected


def test_parsing_is_cached():
    address_parse.cache_clear()
    address_parse("12224 Ventura Blvd.")
    address_parse("12224 Ventura Blvd.")
    assert address_parse.cache_info().hits == 1


# --- address_key ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variants", "key"),
    [
        (
            ["12224 Ventura Blvd.", "12224 VENTURA BOULEVARD", "12224 ventura blv, LA"],
            "12224 ventura",
        ),
        (["435 S. La Cienega Blv.", "435 south La Cienega Boulevard #5"], "435 la cienega"),
        (["3/12 Main St", "12 main street apt 5", "12 Main", "unit 5, 12 main st"], "12 main"),
        (["25 Pridhamstreet", "25 Pridham Street", "25 pridham st."], "25 pridham"),
        (["10 Fifth Avenue", "10 5th Ave"], "10 5th"),
        (["12 St Kilda Rd", "12 Saint Kilda Road"], "12 kilda"),
        (["221B Baker Street", "221 Baker St"], "221 baker"),
        (["1221 Avenue of the Americas"], "1221 americas"),
        (
            [
                "上海市浦东新区张江路88号",
                "浦东新区张江路88号",
                "上海浦东张江路88号",
                "张江路８８号３号楼５０１室",
                "张江路88弄3号",
            ],
            "88 张江",
        ),
        (["上海市黄浦区南京东路100号"], "100 南京"),
    ],
)
def test_spelling_variants_share_one_key(variants, key):
    assert {address_key(v) for v in variants} == {key}


@pytest.mark.parametrize(
    "text",
    ["Main Street", "Rose Cottage, High Street", "12345", "浦东新区张江路", "张江高科技园区", ""],
)
def test_no_key_without_a_house_number_and_a_street(text):
    assert address_key(text) == ""


def test_the_key_is_at_most_100_characters():
    key = address_key("12 " + "Ventura" * 60 + " Blvd")
    assert len(key) == 100
    assert key.startswith("12 ventura")


# --- address_similarity ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "score"),
    [
        ("12224 Ventura Blvd.", "12224 ventura boulevard", 100),
        ("12 main st apt 5", "12 main street #5", 100),
        ("3/12 main st", "unit 3, 12 main street", 100),
        ("12 main st apt 5", "12 main st", 100),  # a unit on one side only
        ("上海市浦东新区张江路88号", "浦东张江路88号", 100),
        ("上海市浦东新区张江路88号3号楼501室", "张江路88号3栋501", 100),
        # a typo in the street, same number: high
        ("12224 Ventura Blvd.", "12224 Ventrua Blvd", 90),
        ("435 S. La Cienega Blv.", "435 La Cienega Boulevard", 100),
        ("12 Main", "12 Main St", 100),  # a missing street type
        ("221B Baker Street", "221 Baker St", 85),
        ("12-14 main st", "14 main st", 90),
        ("张江路88弄3号", "张江路88号", 85),
        # a neighbour: another number on the same street
        ("12224 Ventura Blvd.", "12226 Ventura Blvd", 40),
        ("上海市浦东新区张江路88号", "上海市浦东新区张江路90号", 40),
        ("221B Baker Street", "221A Baker St", 40),
        # another unit at the same number
        ("12 main st apt 5", "12 main st unit 6", 70),
        ("上海市浦东新区张江路88号3号楼501室", "张江路88号5栋501", 70),
        # another street
        ("12 Main St", "12 Main Ave", 70),
        ("12 E 5th St", "12 W 5th St", 60),
        ("12 Elm St", "12 Main St", 29),
        ("上海市黄浦区南京东路100号", "上海市黄浦区南京西路100号", 60),
        ("上海市浦东新区张江路88号", "上海市闵行区张江路88号", 50),
        # a number on one side only, or on neither
        ("12 main st", "main st", 60),
        # a street with no house number (nor a unit) names a street, not a house
        ("main st", "main st", 50),
        ("李路D座", "李路D座", 100),  # no number, but the same building
    ],
)
def test_address_similarity(a, b, score):
    assert address_similarity(address_parse(a), address_parse(b)) == score
    assert address_similarity(address_parse(b), address_parse(a)) == score


def test_an_unknown_address_gives_zero_and_says_it_is_unknown():
    known = address_parse("12 main st")
    for unknown in (address_parse(""), address_parse("n/a"), Address("12", (), "", "", "", "")):
        assert address_similarity(known, unknown) == 0
        assert address_similarity(unknown, known) == 0
        assert not address_known(unknown)
    assert address_known(known)
    assert address_known(address_parse("浦东张江路88号"))
    assert not address_known(address_parse("上海市浦东新区"))


# --- city -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("city", "key"),
    [
        ("上海市", "上海"),
        ("上海", "上海"),
        ("广东省深圳市", "深圳"),
        ("吉林市", "吉林"),
        ("浦东新区", "浦东"),
        ("昆山县", "昆山"),
        ("St. Louis", "stlouis"),
        ("Saint Louis", "stlouis"),
        ("Los Angeles", "losangeles"),
        ("LOS-ANGELES", "losangeles"),
        ("São Paulo", "saopaulo"),
        ("  ", ""),
    ],
)
def test_city_key(city, key):
    assert city_key(city) == key


@pytest.mark.parametrize(
    ("a", "b", "score"),
    [
        ("上海市", "上海", 100),
        ("St. Louis", "saint louis", 100),
        ("上海市", "Shanghai", 100),  # Chinese meets Latin in pinyin
        ("Sydney", "Sydeny", 83),
        ("west la", "los angeles", 25),
        ("", "Sydney", 0),
    ],
)
def test_city_similarity(a, b, score):
    assert city_similarity(a, b) == score


# --- postcode -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("postcode", "country", "key"),
    [
        ("94107-1234", "", "94107"),
        ("941071234", "US", "94107"),
        ("941071234", "", "941071234"),
        ("94107", "US", "94107"),
        ("nw1 6xe", "GB", "NW16XE"),
        ("K1A 0B1", "CA", "K1A0B1"),
        ("200120", "CN", "200120"),
        ("２００１２０", "CN", "200120"),
        ("000000", "CN", ""),
        ("00000-0000", "US", ""),
        ("n/a", "", ""),
        ("", "", ""),
    ],
)
def test_postcode_key(postcode, country, key):
    assert postcode_key(postcode, country) == key


@pytest.mark.parametrize(
    ("a", "b", "score"),
    [
        ("94107-1234", "94107", 100),
        ("NW1 6XE", "nw16xe", 100),
        ("SW1A", "SW1A 1AA", 80),  # a prefix
        ("94107", "94108", 80),  # only the last digit differs
        ("200120", "100120", 0),
        ("000000", "000000", 0),  # placeholders are no evidence
        ("", "94107", 0),
    ],
)
def test_postcode_similarity(a, b, score):
    assert postcode_similarity(a, b) == score

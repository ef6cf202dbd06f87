"""Smart fill on real-looking e-mail signatures and business cards, English and Chinese.

Each case is what a rep pastes into the new-lead form and the exact fields the empty form gets:
nothing missing, nothing extra (a fax is not a phone, a quoted reply is not the sender, a
LinkedIn profile is not the website), and the address without the city, province, country and
postcode that have their own fields.
"""

import pytest

from leads.smartfill import smart_fill, smart_fill_for_form


def form_values(text: str, default_region: str = "CN", typed: dict | None = None) -> dict:
    return smart_fill_for_form(smart_fill(text, default_region=default_region), typed=typed or {})


ENGLISH = [
    pytest.param(
        """Thanks,

Jonathan R. Whitaker
Director of Strategic Sourcing
Halvorsen Medical Devices, Inc.
1450 Brickell Bay Drive, Suite 900
Miami, FL 33131
O: (305) 555-0142 x231 | M: (786) 555-0199
jwhitaker@halvorsenmed.com | www.halvorsenmed.com
linkedin.com/in/jrwhitaker

CONFIDENTIALITY NOTICE: This e-mail message, including any attachments, is for the sole use
of the intended recipient(s) and may contain confidential information. Any unauthorized
review, use or disclosure is prohibited.""",
        "CN",
        {
            "name": "Jonathan R. Whitaker",
            "job_title": "Director of Strategic Sourcing",
            "company": "Halvorsen Medical Devices, Inc.",
            "email": "jwhitaker@halvorsenmed.com",
            "phone": "+1 305-555-0142 ext. 231",
            "mobile": "+1 786-555-0199",
            "website": "www.halvorsenmed.com",
            "country": "US",
            "region": "FL",
            "city": "Miami",
            "address": "1450 Brickell Bay Drive, Suite 900",
            "postcode": "33131",
        },
        id="us-middle-initial-O-M-labels-disclaimer-linkedin",
    ),
    pytest.param(
        """Kind regards,
Jane Doe | Head of Procurement
Marlow & Finch Ltd
3rd Floor, 20 Cabot Square, London E14 4QW
T: +44 (0)20 7946 0958
M: +44 (0)7723 456789
jane.doe@marlowfinch.co.uk
www.marlowfinch.co.uk""",
        "CN",
        {
            "name": "Jane Doe",
            "job_title": "Head of Procurement",
            "company": "Marlow & Finch Ltd",
            "email": "jane.doe@marlowfinch.co.uk",
            "phone": "+44 20 7946 0958",
            "mobile": "+44 7723 456789",
            "website": "www.marlowfinch.co.uk",
            "country": "GB",
            "city": "London",
            "address": "3rd Floor, 20 Cabot Square",
            "postcode": "E14 4QW",
        },
        id="uk-name-and-title-on-one-line-plus44-0",
    ),
    pytest.param(
        "Oliver Hartley · Senior Account Manager · Pennine Packaging Ltd · "
        "Tel. 0161 496 0012 · Mob. 07831 204556 · oliver.hartley@penninepack.co.uk",
        "CN",
        {
            "name": "Oliver Hartley",
            "job_title": "Senior Account Manager",
            "company": "Pennine Packaging Ltd",
            "email": "oliver.hartley@penninepack.co.uk",
            "phone": "+44 161 496 0012",
            "mobile": "+44 7831 204556",
        },
        id="uk-one-line-national-numbers-read-as-uk-from-the-email-domain",
    ),
    pytest.param(
        """Best Regards,
Tan Wei Ming
Regional Sales Manager, APAC
Lumina Precision Pte. Ltd.
1 Raffles Place, #20-61 Tower 2, Singapore 048616
DID: +65 6221 0045 | HP: +65 9123 4567
Email: weiming.tan@luminaprecision.com.sg""",
        "CN",
        {
            "name": "Tan Wei Ming",
            "job_title": "Regional Sales Manager, APAC",
            "company": "Lumina Precision Pte. Ltd.",
            "email": "weiming.tan@luminaprecision.com.sg",
            "phone": "+65 6221 0045",
            "mobile": "+65 9123 4567",
            "country": "SG",
            "city": "Singapore",
            "address": "1 Raffles Place, #20-61 Tower 2",
            "postcode": "048616",
        },
        id="singapore-DID-and-HP-labels",
    ),
    pytest.param(
        """Mit freundlichen Grüßen / Best regards

Dr. Markus Weber
Head of Purchasing
Kessler Antriebstechnik GmbH
Industriestraße 14
85748 Garching bei München
Germany
Phone: +49 (0)89 2180 4455 ext. 12
Mob.: +49 (0)151 2345 6789
Fax: +49 (0)89 2180 4499
markus.weber@kessler-antriebe.de
www.kessler-antriebe.de

Kessler Antriebstechnik GmbH · Registered office: Garching · Register court: Munich HRB 123456
Managing Directors: Anna Kessler, Peter Brandt""",
        "CN",
        {
            "name": "Markus Weber",
            "job_title": "Head of Purchasing",
            "company": "Kessler Antriebstechnik GmbH",
            "email": "markus.weber@kessler-antriebe.de",
            "phone": "+49 89 21804455 ext. 12",
            "mobile": "+49 1512 3456789",
            "website": "www.kessler-antriebe.de",
            "country": "DE",
            "city": "Garching bei München",
            "address": "Industriestraße 14",
            "postcode": "85748",
        },
        id="germany-in-english-fax-and-company-register-footer",
    ),
    pytest.param(
        """Hi Lena,

Sounds good, Thursday at 10 works for me. I'll bring the pilot numbers.

Mike Delgado | VP, Business Development | Brightline Analytics
Cell 415.555.0132 | mike@brightline-analytics.com

On Tue, Mar 4, 2025 at 9:12 AM Lena Fischer <lena.fischer@nordwerk.de> wrote:
> Hi Mike,
> could we move our call to Thursday? My direct line is +49 30 1234567.
> Lena""",
        "CN",
        {
            "name": "Mike Delgado",
            "job_title": "VP, Business Development",
            "company": "Brightline Analytics",
            "email": "mike@brightline-analytics.com",
            "mobile": "+1 415-555-0132",
        },
        id="us-one-line-dots-cell-and-a-quoted-reply-below",
    ),
    pytest.param(
        """--
Sarah K. Lindqvist, CPA
Controller
Redwood Ridge Partners LLC
D: 312.555.0176 | P: 312.555.0100 ext. 4402
233 S. Wacker Drive, Suite 4700, Chicago, IL 60606
slindqvist@redwoodridge.com""",
        "CN",
        {
            "name": "Sarah K. Lindqvist",
            "job_title": "Controller",
            "company": "Redwood Ridge Partners LLC",
            "email": "slindqvist@redwoodridge.com",
            "phone": "+1 312-555-0176",
            "country": "US",
            "region": "IL",
            "city": "Chicago",
            "address": "233 S. Wacker Drive, Suite 4700",
            "postcode": "60606",
        },
        id="us-credential-after-the-name-direct-line-first",
    ),
    pytest.param(
        """Many thanks,

Priya Raman MCIPS
Procurement Lead – Facilities
Northgate University Hospitals NHS Trust
Tel: 0113 496 0321 Ext 4418
Mobile: 07412 345678
Email: priya.raman@northgate.nhs.uk
LinkedIn: linkedin.com/in/priyaraman
Please consider the environment before printing this email.""",
        "CN",
        {
            "name": "Priya Raman",
            "job_title": "Procurement Lead – Facilities",
            "company": "Northgate University Hospitals NHS Trust",
            "email": "priya.raman@northgate.nhs.uk",
            "phone": "+44 113 496 0321 ext. 4418",
            "mobile": "+44 7412 345678",
        },
        id="uk-public-sector-no-legal-form-ext-and-linkedin-line",
    ),
    pytest.param(
        """GREGORY T. MAXWELL
Senior Buyer
CASCADE OUTDOOR SUPPLY CO.
8800 NE Columbia Blvd, Portland, OR 97220 USA
Tel 1-800-555-0123   Fax 503-555-0190
greg.maxwell@cascadeoutdoor.com
cascadeoutdoor.com""",
        "CN",
        {
            "name": "Gregory T. Maxwell",
            "job_title": "Senior Buyer",
            "company": "CASCADE OUTDOOR SUPPLY CO.",
            "email": "greg.maxwell@cascadeoutdoor.com",
            "phone": "+1 800-555-0123",
            "website": "cascadeoutdoor.com",
            "country": "US",
            "region": "OR",
            "city": "Portland",
            "address": "8800 NE Columbia Blvd",
            "postcode": "97220",
        },
        id="us-card-in-capitals-toll-free-tel-and-fax-on-one-line",
    ),
    pytest.param(
        "Rachel Lim | Procurement Executive | Orchid Bay Hospitality Pte Ltd | "
        "T: +65 6733 8100 | M: +65 8123 4567 | rachel.lim@orchidbay.com.sg\n"
        "80 Robinson Road, #10-01, Singapore 068898",
        "CN",
        {
            "name": "Rachel Lim",
            "job_title": "Procurement Executive",
            "company": "Orchid Bay Hospitality Pte Ltd",
            "email": "rachel.lim@orchidbay.com.sg",
            "phone": "+65 6733 8100",
            "mobile": "+65 8123 4567",
            "country": "SG",
            "city": "Singapore",
            "address": "80 Robinson Road, #10-01",
            "postcode": "068898",
        },
        id="singapore-pipe-separated-one-liner",
    ),
    pytest.param(
        """Best,
Hans-Peter Vogel
Key Account Manager
Nordwind Logistik GmbH & Co. KG
Am Sandtorkai 41, 20457 Hamburg, Germany
Tel. +49 40 8221 7330
Mobile +49 171 2345678
hans-peter.vogel@nordwind-logistik.de""",
        "CN",
        {
            "name": "Hans-Peter Vogel",
            "job_title": "Key Account Manager",
            "company": "Nordwind Logistik GmbH & Co. KG",
            "email": "hans-peter.vogel@nordwind-logistik.de",
            "phone": "+49 40 82217330",
            "mobile": "+49 171 2345678",
            "country": "DE",
            "city": "Hamburg",
            "address": "Am Sandtorkai 41",
            "postcode": "20457",
        },
        id="germany-hyphenated-name-labels-without-colon",
    ),
    pytest.param(
        """Thank you,
Angela M. Brooks
Purchasing Manager | Tri-County Building Supply, Inc.
Office: 614-555-0148
Mobile: 614-555-0172
abrooks@tricountybuild.com

-----Original Message-----
From: Chen Jie <chen.jie@yunqi-tech.cn>
Sent: Monday, March 3, 2025 8:41 PM
To: Angela Brooks <abrooks@tricountybuild.com>
Subject: Quote for LED panels

Dear Angela, please find the updated quote attached. Tel: +86 21 6255 1234""",
        "CN",
        {
            "name": "Angela M. Brooks",
            "job_title": "Purchasing Manager",
            "company": "Tri-County Building Supply, Inc.",
            "email": "abrooks@tricountybuild.com",
            "phone": "+1 614-555-0148",
            "mobile": "+1 614-555-0172",
        },
        id="us-office-and-mobile-by-label-above-an-outlook-reply",
    ),
    pytest.param(
        """Regards,

Tom Ellison
Operations Director
Harbourside Foods plc
Unit 4, Riverside Way
Bristol BS1 6XY
United Kingdom
Direct: +44 117 496 0777
Switchboard: +44 117 496 0700
Mobile: +44 7723 456789
tom.ellison@harbourside-foods.co.uk""",
        "CN",
        {
            "name": "Tom Ellison",
            "job_title": "Operations Director",
            "company": "Harbourside Foods plc",
            "email": "tom.ellison@harbourside-foods.co.uk",
            "phone": "+44 117 496 0777",
            "mobile": "+44 7723 456789",
            "country": "GB",
            "city": "Bristol",
            "address": "Unit 4, Riverside Way",
            "postcode": "BS1 6XY",
        },
        id="uk-address-over-three-lines-direct-before-switchboard",
    ),
    pytest.param(
        """Chloe Bennett
Marketing Manager
Fernhill Studio Ltd
T: 020 3946 0123
E: chloe@fernhillstudio.co.uk
W: fernhillstudio.co.uk
Follow us: LinkedIn | Instagram""",
        "GB",
        {
            "name": "Chloe Bennett",
            "job_title": "Marketing Manager",
            "company": "Fernhill Studio Ltd",
            "email": "chloe@fernhillstudio.co.uk",
            "phone": "+44 20 3946 0123",
            "website": "fernhillstudio.co.uk",
        },
        id="uk-single-letter-labels-for-a-uk-tenant",
    ),
    pytest.param(
        """Best regards,
Kevin Zhou
Export Sales Manager
Ningbo Haitian Precision Machinery Co., Ltd.
Add: No. 1688 Haitian Road, Beilun District, Ningbo, Zhejiang 315800, China
Tel: +86-574-8618 2233   Fax: +86-574-8618 2234
Mob/WhatsApp: +86 135 8688 1234
Web: www.haitian-pm.com""",
        "US",
        {
            "name": "Kevin Zhou",
            "job_title": "Export Sales Manager",
            "company": "Ningbo Haitian Precision Machinery Co., Ltd.",
            "phone": "+86 574 8618 2233",
            "mobile": "+86 135 8688 1234",
            "website": "www.haitian-pm.com",
            "country": "CN",
            "region": "Zhejiang",
            "city": "Ningbo",
            "address": "No. 1688 Haitian Road, Beilun District",
            "postcode": "315800",
        },
        id="chinese-supplier-writing-in-english-for-a-us-tenant",
    ),
]

CHINESE = [
    pytest.param(
        """深圳市华信物流股份有限公司
李娜　采购经理
手机：139 1234 5678
电话：0755-8666 1234
传真：0755-8666 1235
邮箱：lina@huaxin-logistics.com
地址：广东省深圳市南山区科苑路15号科兴科学园B栋12楼""",
        "CN",
        {
            "name": "李娜",
            "job_title": "采购经理",
            "company": "深圳市华信物流股份有限公司",
            "email": "lina@huaxin-logistics.com",
            "phone": "+86 755 8666 1234",
            "mobile": "+86 139 1234 5678",
            "country": "CN",
            "region": "广东",
            "city": "深圳",
            "address": "南山区科苑路15号科兴科学园B栋12楼",
        },
        id="cn-card-fax-is-not-the-phone",
    ),
    pytest.param(
        """张伟 | 销售总监
杭州云帆网络科技有限公司
M：+86 186 2171 0936
全国服务热线：400-888-6611
E：zhangwei@yunfan-net.com
官网：www.yunfan-net.com
地址：浙江省杭州市西湖区文三路90号东部软件园3号楼""",
        "CN",
        {
            "name": "张伟",
            "job_title": "销售总监",
            "company": "杭州云帆网络科技有限公司",
            "email": "zhangwei@yunfan-net.com",
            "phone": "+86 400 888 6611",
            "mobile": "+86 186 2171 0936",
            "website": "www.yunfan-net.com",
            "country": "CN",
            "region": "浙江",
            "city": "杭州",
            "address": "西湖区文三路90号东部软件园3号楼",
        },
        id="cn-name-pipe-title-and-a-400-hotline-as-the-only-landline",
    ),
    pytest.param(
        """陈嘉欣 女士
市场部经理
香港恒达贸易有限公司
Hang Tat Trading Co., Limited
电话：(852) 2523 1234
手机：+852 6123 4567
传真：(852) 2523 1288
地址：香港九龙尖沙咀广东道33号中港城第3座12楼
电邮：karen.chan@hangtat.com.hk""",
        "CN",
        {
            "name": "陈嘉欣",
            "job_title": "市场部经理",
            "company": "香港恒达贸易有限公司",
            "email": "karen.chan@hangtat.com.hk",
            "phone": "+852 2523 1234",
            "mobile": "+852 6123 4567",
            "country": "HK",
            "city": "香港",
            "address": "九龙尖沙咀广东道33号中港城第3座12楼",
        },
        id="hk-card-852-in-brackets-and-the-courtesy-title",
    ),
    pytest.param(
        """林志明 經理
業務部
台灣精密工業股份有限公司
電話：(02) 2722-1234 分機 315
手機：0912-345-678
傳真：(02) 2722-5678
地址：台北市信義區松仁路100號15樓
Email：jm.lin@twprecision.com.tw""",
        "CN",
        {
            "name": "林志明",
            "job_title": "經理",
            "company": "台灣精密工業股份有限公司",
            "email": "jm.lin@twprecision.com.tw",
            "phone": "+886 2 2722 1234 ext. 315",
            "mobile": "+886 912 345 678",
            "country": "TW",
            "city": "台北",
            "address": "信義區松仁路100號15樓",
        },
        id="tw-card-in-traditional-characters-national-numbers",
    ),
    pytest.param(
        """北京星河文化传媒有限公司
赵建国先生
总经理
手机：138 0013 8000 / 139 1122 3344
微信：zhaojg_1975
电话：010-8523 6600
地址：北京市朝阳区建国路88号SOHO现代城A座1801室""",
        "CN",
        {
            "name": "赵建国",
            "job_title": "总经理",
            "company": "北京星河文化传媒有限公司",
            "phone": "+86 10 8523 6600",
            "mobile": "+86 138 0013 8000",
            "country": "CN",
            "region": "北京",
            "city": "北京",
            "address": "朝阳区建国路88号SOHO现代城A座1801室",
        },
        id="cn-two-mobiles-a-wechat-id-and-a-landline",
    ),
    pytest.param(
        """谢谢！

王芳 Fiona Wang
采购部 | 高级采购专员
苏州工业园区恒瑞精密机械有限公司
Tel：+86 512 6288 3456 转 806
Mob：+86 150 5012 3456
Fax：+86 512 6288 3457
E-mail：wangfang@hengrui-pm.com
Add：江苏省苏州市工业园区星湖街328号创意产业园7栋
http://www.hengrui-pm.com

本邮件及其附件含有保密信息，仅限于发送给上面地址中列出的个人或群组。

发件人： Karen Chen <karen.chen@lumina.com.sg>
发送时间： 2025年3月4日 10:12
收件人： 王芳 <wangfang@hengrui-pm.com>
主题： RE: 报价单""",
        "CN",
        {
            "name": "王芳",
            "job_title": "高级采购专员",
            "company": "苏州工业园区恒瑞精密机械有限公司",
            "email": "wangfang@hengrui-pm.com",
            "phone": "+86 512 6288 3456 ext. 806",
            "mobile": "+86 150 5012 3456",
            "website": "http://www.hengrui-pm.com",
            "country": "CN",
            "region": "江苏",
            "city": "苏州",
            "address": "工业园区星湖街328号创意产业园7栋",
        },
        id="cn-email-signature-english-labels-disclaimer-and-quoted-header",
    ),
    pytest.param(
        """联系人：王经理
手机：13600001111
公司：宁波东海模具有限公司
地址：浙江宁波市北仑区明州路188号""",
        "CN",
        {
            "name": "王经理",
            "company": "宁波东海模具有限公司",
            "mobile": "+86 136 0000 1111",
            "country": "CN",
            "region": "浙江",
            "city": "宁波",
            "address": "北仑区明州路188号",
        },
        id="cn-surname-and-title-as-the-name-province-without-sheng",
    ),
    pytest.param(
        "刘洋 | 华东区销售经理 | 上海澜图智能装备有限公司 | +86 137 6188 2046 | "
        "liuyang@lantu-ie.com",
        "CN",
        {
            "name": "刘洋",
            "job_title": "华东区销售经理",
            "company": "上海澜图智能装备有限公司",
            "email": "liuyang@lantu-ie.com",
            "mobile": "+86 137 6188 2046",
            "country": "CN",
        },
        id="cn-one-line-signature-plus86-with-spaces",
    ),
    pytest.param(
        """周敏女士
人力资源总监
成都蓉城医药集团有限公司
电话 Tel：028-8520 1166
手机 Mobile：180 8012 3456
传真 Fax：028-8520 1167
邮箱 Email：zhoumin@rongcheng-pharma.com
地址 Add：四川省成都市高新区天府大道北段1700号环球中心E1区10楼""",
        "CN",
        {
            "name": "周敏",
            "job_title": "人力资源总监",
            "company": "成都蓉城医药集团有限公司",
            "email": "zhoumin@rongcheng-pharma.com",
            "phone": "+86 28 8520 1166",
            "mobile": "+86 180 8012 3456",
            "country": "CN",
            "region": "四川",
            "city": "成都",
            "address": "高新区天府大道北段1700号环球中心E1区10楼",
        },
        id="cn-bilingual-labels-and-nvshi-suffix",
    ),
    pytest.param(
        """广西桂海糖业有限公司
黄志强 副总经理
手机：177 7711 2233
电话：0771-556 7788
客服热线：400-600-8899
地址：广西壮族自治区南宁市青秀区民族大道136号
网址：www.guihai-sugar.com""",
        "CN",
        {
            "name": "黄志强",
            "job_title": "副总经理",
            "company": "广西桂海糖业有限公司",
            "phone": "+86 771 556 7788",
            "mobile": "+86 177 7711 2233",
            "website": "www.guihai-sugar.com",
            "country": "CN",
            "region": "广西",
            "city": "南宁",
            "address": "青秀区民族大道136号",
        },
        id="cn-autonomous-region-landline-wins-over-the-400-line",
    ),
    pytest.param(
        """重庆长江机电设备有限公司
销售部 孙丽
手机：+86 135 9400 1234
传真：023-6789 0001
地址：重庆市渝北区金开大道68号""",
        "CN",
        {
            "name": "孙丽",
            "job_title": "销售部",
            "company": "重庆长江机电设备有限公司",
            "mobile": "+86 135 9400 1234",
            "country": "CN",
            "region": "重庆",
            "city": "重庆",
            "address": "渝北区金开大道68号",
        },
        id="cn-department-before-the-name-and-only-a-fax-landline",
    ),
    pytest.param(
        """Jason Huang 黄俊杰
海外业务部 协理
台湾宏晟电子股份有限公司
T：+886-2-2345-6789 ext.215
M：+886-912-345-678
台湾台北市内湖区瑞光路513巷22号
jason.huang@hongsheng-elec.com.tw""",
        "CN",
        {
            "name": "黄俊杰",
            "job_title": "海外业务部 协理",
            "company": "台湾宏晟电子股份有限公司",
            "email": "jason.huang@hongsheng-elec.com.tw",
            "phone": "+886 2 2345 6789 ext. 215",
            "mobile": "+886 912 345 678",
            "country": "TW",
            "city": "台北",
            "address": "内湖区瑞光路513巷22号",
        },
        id="tw-english-and-chinese-name-unlabelled-address",
    ),
    pytest.param(
        """【名片】
姓名：陈先生
单位：昆明滇池花卉进出口有限公司
职务：采购主管
手机：+86 139-8765-4321
邮编：650000
地址：云南省昆明市官渡区春城路289号""",
        "CN",
        {
            "name": "陈先生",
            "job_title": "采购主管",
            "company": "昆明滇池花卉进出口有限公司",
            "mobile": "+86 139 8765 4321",
            "country": "CN",
            "region": "云南",
            "city": "昆明",
            "postcode": "650000",
            "address": "官渡区春城路289号",
        },
        id="cn-forwarded-card-surname-and-xiansheng-postcode-is-not-a-phone",
    ),
]


@pytest.mark.parametrize(("text", "default_region", "expected"), ENGLISH)
def test_english_signature_fills_exactly_these_fields(text, default_region, expected):
    assert form_values(text, default_region) == expected


@pytest.mark.parametrize(("text", "default_region", "expected"), CHINESE)
def test_chinese_card_fills_exactly_these_fields(text, default_region, expected):
    assert form_values(text, default_region) == expected


def test_address_keeps_city_and_province_out_when_they_have_their_own_fields():
    found = smart_fill("地址：上海市上海市浦东新区张江路 88 号 5 楼")
    assert (found["region"], found["city"], found["country"]) == ("上海", "上海", "CN")
    assert form_values("地址：上海市上海市浦东新区张江路 88 号 5 楼") == {
        "country": "CN",
        "region": "上海",
        "city": "上海",
        "address": "浦东新区张江路 88 号 5 楼",
    }
    english = "Address: Room 1203, 88 Century Avenue, Pudong, Shanghai, Shanghai 200120, China"
    assert form_values(english) == {
        "country": "CN",
        "region": "Shanghai",
        "city": "Shanghai",
        "address": "Room 1203, 88 Century Avenue, Pudong",
        "postcode": "200120",
    }


def test_address_keeps_the_city_when_the_form_already_holds_another_one():
    text = "地址：浙江省杭州市西湖区文三路90号"
    assert form_values(text, typed={"city": "宁波"}) == {
        "country": "CN",
        "region": "浙江",
        "address": "杭州市西湖区文三路90号",
    }
    assert form_values(text, typed={"city": "杭州", "region": "浙江"}) == {
        "country": "CN",
        "address": "西湖区文三路90号",
    }


def test_a_typed_address_is_left_alone():
    typed = {"address": "Typed by hand"}
    assert "address" not in form_values("地址：浙江省杭州市西湖区文三路90号", typed=typed)


def test_fax_alone_never_becomes_the_phone():
    assert form_values("Fax: +44 20 7946 0999") == {"country": "GB"}
    assert form_values("传真：021-6255 1235") == {}


def test_a_uk_mobile_labelled_tel_is_still_the_mobile_and_a_cn_landline_labelled_mobile_the_phone():
    assert form_values("Tel: +44 7723 456789") == {"mobile": "+44 7723 456789", "country": "GB"}
    assert form_values("手机：021-6255 1234") == {"phone": "+86 21 6255 1234"}


@pytest.mark.parametrize(
    ("text", "default_region", "expected"),
    [
        pytest.param(
            "Tel: 010-8523 6600-8012\nQQ: 123456789\nWeChat: 13800138000",
            "CN",
            {"phone": "+86 10 8523 6600 ext. 8012"},
            id="cn-extension-after-a-hyphen-and-qq-wechat-ids-are-not-numbers-to-call",
        ),
        pytest.param(
            "Office 3, 12 High Street, Leeds LS1 4DY",
            "GB",
            {
                "country": "GB",
                "city": "Leeds",
                "postcode": "LS1 4DY",
                "address": "Office 3, 12 High Street",
            },
            id="an-office-number-in-an-address-is-not-a-phone-label",
        ),
        pytest.param(
            "销售经理：王磊 13912345678",
            "CN",
            {"name": "王磊", "job_title": "销售经理", "mobile": "+86 139 1234 5678"},
            id="title-colon-name-and-the-number-on-the-same-line",
        ),
        pytest.param(
            "Mark Thompson\nCEO & Founder\nBluefin Robotics\nmark@bluefinrobotics.io",
            "CN",
            {
                "name": "Mark Thompson",
                "job_title": "CEO & Founder",
                "company": "Bluefin Robotics",
                "email": "mark@bluefinrobotics.io",
            },
            id="company-without-a-legal-form-known-by-the-email-domain",
        ),
        pytest.param(
            "Hi-Tech Components Ltd\nSam O'Brien\nBuyer",
            "CN",
            {"name": "Sam O'Brien", "job_title": "Buyer", "company": "Hi-Tech Components Ltd"},
            id="apostrophe-in-the-name-and-a-company-that-starts-like-a-greeting",
        ),
    ],
)
def test_shapes_beyond_the_cards_fill_exactly_these_fields(text, default_region, expected):
    assert form_values(text, default_region) == expected

"""Smart fill on real-looking business cards, signatures and notes (no database)."""

from leads.smartfill import smart_fill


def test_chinese_business_card():
    card = """上海云启智能科技有限公司
王小明
销售总监
手机：138 0013 8000
电话：021-6255 1234 转 8001
邮箱：xiaoming.wang@yunqi-tech.cn
地址：上海市浦东新区张江路 88 号 5 楼
www.yunqi-tech.cn"""
    found = smart_fill(card)
    assert found["company"] == "上海云启智能科技有限公司"
    assert found["name"] == "王小明"
    assert found["job_title"] == "销售总监"
    assert found["mobile"] == "+86 138 0013 8000"
    assert found["phone"].startswith("+86 21 6255 1234")
    assert found["email"] == "xiaoming.wang@yunqi-tech.cn"
    assert found["address"].startswith("上海市浦东新区")
    assert found["website"] == "www.yunqi-tech.cn"


def test_english_email_signature():
    signature = """Best regards,

Anna Müller
Head of Procurement | Nordwerk GmbH
Friedrichstraße 120, 10117 Berlin
Tel: +49 30 1234567 ext. 12
Mobile: +49 171 2345678
anna.mueller@nordwerk.de | nordwerk.de"""
    found = smart_fill(signature, default_region="DE")
    assert found["name"] == "Anna Müller"
    assert "Head of Procurement" in found["job_title"]
    assert "Nordwerk GmbH" in found["company"]
    assert found["email"] == "anna.mueller@nordwerk.de"
    assert found["mobile"] == "+49 171 2345678"
    assert "ext. 12" in found["phone"]
    assert found["website"] == "nordwerk.de"


def test_full_width_and_unlabelled_mixed_line():
    text = (
        "李娜 采购经理\n深圳华信物流股份有限公司\n１３９１２３４５６７８\nlina@huaxin-logistics.com"
    )
    found = smart_fill(text)
    assert (found["name"], found["job_title"]) == ("李娜", "采购经理")
    assert found["company"] == "深圳华信物流股份有限公司"
    assert found["mobile"] == "+86 139 1234 5678"
    assert "website" not in found  # the email's domain is not a website


def test_call_note_takes_only_what_is_there():
    found = smart_fill("Called back, asked for a quote. Reach him at 0755-8888 6666.")
    assert found == {"phone": "+86 755 8888 6666"}
    assert smart_fill("") == {}


def test_smart_fill_fills_only_the_empty_fields_of_the_form(in_tenant_a):
    from django.urls import reverse

    from tests.conftest import tenant_client

    cast = in_tenant_a
    response = tenant_client(cast, cast.rep).post(
        reverse("leads-smart-fill"),
        {
            "smart_text": "王小明 销售总监\n上海云启智能科技有限公司\n手机：13800138000",
            "name": "Typed by hand",
        },
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert 'value="Typed by hand"' in page  # what the user typed is kept
    assert 'value="+86 138 0013 8000"' in page
    assert 'value="上海云启智能科技有限公司"' in page
    assert "Filled from the text" in page


def test_chinese_address_gives_region_and_city():
    found = smart_fill("地址：浙江省杭州市西湖区文三路 90 号")
    assert (found["region"], found["city"], found["country"]) == ("浙江", "杭州", "CN")
    assert smart_fill("上海市浦东新区张江路 88 号 5 楼")["city"] == "上海"

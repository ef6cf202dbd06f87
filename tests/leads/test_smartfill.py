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


ENGLISH_SIGNATURE = """Thanks,

Jonathan R. Whitaker
Director of Strategic Sourcing
Halvorsen Medical Devices, Inc.
1450 Brickell Bay Drive, Suite 900
Miami, FL 33131
O: (305) 555-0142 x231 | M: (786) 555-0199
jwhitaker@halvorsenmed.com | www.halvorsenmed.com
linkedin.com/in/jrwhitaker"""

CHINESE_CARD = """深圳市华信物流股份有限公司
李娜　采购经理
手机：139 1234 5678
电话：0755-8666 1234
传真：0755-8666 1235
邮箱：lina@huaxin-logistics.com
地址：广东省深圳市南山区科苑路15号科兴科学园B栋12楼"""


def _smart_fill_page(client, text: str, **typed) -> str:
    from django.urls import reverse

    response = client.post(
        reverse("leads-smart-fill"), {"smart_text": text, **typed}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    return response.content.decode()


def test_smart_fill_view_fills_the_form_from_an_english_signature(cast_a):
    from tests.conftest import tenant_client

    page = _smart_fill_page(tenant_client(cast_a, cast_a.rep), ENGLISH_SIGNATURE)
    for field, value in {
        "name": "Jonathan R. Whitaker",
        "job_title": "Director of Strategic Sourcing",
        "company": "Halvorsen Medical Devices, Inc.",
        "email": "jwhitaker@halvorsenmed.com",
        "mobile": "+1 786-555-0199",
        "phone": "+1 305-555-0142 ext. 231",
        "website": "www.halvorsenmed.com",
        "country": "US",
        "region": "FL",
        "city": "Miami",
        "address": "1450 Brickell Bay Drive, Suite 900",
        "postcode": "33131",
    }.items():
        assert f'name="{field}" value="{value}"' in page, field
    assert "Filled from the text" in page


def test_smart_fill_view_fills_the_form_from_a_chinese_card_without_the_fax(cast_a):
    from tests.conftest import tenant_client

    page = _smart_fill_page(tenant_client(cast_a, cast_a.rep), CHINESE_CARD)
    for field, value in {
        "name": "李娜",
        "job_title": "采购经理",
        "company": "深圳市华信物流股份有限公司",
        "mobile": "+86 139 1234 5678",
        "phone": "+86 755 8666 1234",
        "country": "CN",
        "region": "广东",
        "city": "深圳",
        "address": "南山区科苑路15号科兴科学园B栋12楼",
    }.items():
        assert f'name="{field}" value="{value}"' in page, field
    assert "8666 1235" not in page  # the fax number is nowhere in the form


def test_smart_fill_view_keeps_the_city_in_the_address_when_another_city_was_typed(cast_a):
    from tests.conftest import tenant_client

    page = _smart_fill_page(tenant_client(cast_a, cast_a.rep), CHINESE_CARD, city="广州")
    assert 'name="city" value="广州"' in page
    assert 'name="address" value="深圳市南山区科苑路15号科兴科学园B栋12楼"' in page


def test_smart_fill_view_reads_national_numbers_in_the_tenants_own_default_country(cast_a, cast_b):
    from django_tenants.utils import tenant_context

    from leads.models import LeadSettings
    from tests.conftest import tenant_client

    with tenant_context(cast_b.tenant):
        LeadSettings.objects.update_or_create(singleton=True, defaults={"default_country": "GB"})
    note = "Call Tom back on 020 7946 0958 about the quote."
    on_b = _smart_fill_page(tenant_client(cast_b, cast_b.rep), note)
    on_a = _smart_fill_page(tenant_client(cast_a, cast_a.rep), note)
    assert 'name="phone" value="+44 20 7946 0958"' in on_b
    assert 'name="phone" value="+86 20 7946 0958"' in on_a  # 020 is Guangzhou for a CN tenant


def test_smart_fill_view_refuses_strangers_other_tenants_sessions_and_get(cast_a, cast_b):
    from django.test import Client
    from django.urls import reverse

    from tests.conftest import tenant_client

    url = reverse("leads-smart-fill")
    data = {"smart_text": ENGLISH_SIGNATURE}
    anonymous = Client(HTTP_HOST=cast_a.host).post(url, data)
    assert anonymous.status_code == 302
    assert "/accounts/login/" in anonymous.headers["Location"]
    replayed = tenant_client(cast_b, cast_b.admin).post(url, data, HTTP_HOST=cast_a.host)
    assert replayed.status_code == 302
    assert "/accounts/login/" in replayed.headers["Location"]
    assert "Whitaker" not in replayed.content.decode()
    assert tenant_client(cast_a, cast_a.rep).get(url).status_code == 405

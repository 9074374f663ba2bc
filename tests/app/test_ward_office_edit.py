"""Editing a ward office in the console (`WardSettings.edit_office`), on SQLite and PostgreSQL: who may,
what is refused and why, the audit trail, and two instances on one database: the one that made the
edit shows it at once, the other after its worker's pass, a new one at start; reset brings the YAML back."""

from __future__ import annotations

import pytest

from bot.app.residents import Role
from bot.app.tickets import NotAllowed
from bot.app.web_signin import ConsoleUser
from bot.bootstrap import App, build_app
from bot.core.i18n import Texts
from bot.core.ward_contacts import contacts_text
from bot.core.ward_overrides import OfficeForm, OfficeFormErrors
from tests.conftest import make_settings

HOURS = "Thứ 2 – Thứ 6: 8:00–12:00, 13:30–17:00"
PHONE = "024.3753 1234"


async def console_user(app: App, external_id: int, role: Role, ward: str | None = None) -> ConsoleUser:
    person = await app.residents.identify("telegram", external_id, f"Người {external_id}")
    if ward is not None:
        await app.residents.grant(person.id, role, ward, None)
        person = await app.residents.get(person.id)
        assert person is not None
    return ConsoleUser(person, role)


def card(app: App, ward: str = "tay-ho") -> str:
    return contacts_text(app.content, Texts(), "vi", ward)


@pytest.fixture
async def two(db_url, clock):
    a = await build_app(make_settings(db_url), clock)
    b = await build_app(make_settings(db_url), clock)
    yield a, b
    await a.close()
    await b.close()


async def test_an_edit_reaches_the_other_instance_and_a_new_one_and_reset_brings_the_yaml_back(two, db_url, clock):
    a, b = two
    official = await console_user(a, 3001, Role.OFFICIAL, "tay-ho")
    form = OfficeForm(address="657 Lạc Long Quân", hours_vi=HOURS, phones=f"{PHONE}\n0912 345 678", tdps="")
    assert await a.ward_settings.edit_office(official, "tay-ho", form)

    # the instance that made the edit: at once, from memory
    office = a.content.wards["tay-ho"].office
    assert office.hours is not None and office.hours.vi == HOURS and office.hours.en == HOURS
    assert office.phones == [PHONE, "0912 345 678"]
    assert office.address == "657 Lạc Long Quân" and office.address_uncertain  # typed as the YAML has it
    assert f"Giờ làm việc: {HOURS}" in card(a) and f"Điện thoại: {PHONE}, 0912 345 678" in card(a)
    # the other: after its worker's pass
    assert "chưa có thông tin" in card(b).split("Giờ làm việc:")[1].split("\n")[0]
    await b.extra["ward_offices"].tick()
    assert f"Giờ làm việc: {HOURS}" in card(b)
    # a new instance: at start
    c = await build_app(make_settings(db_url), clock)
    try:
        assert c.content.wards["tay-ho"].office.phones == [PHONE, "0912 345 678"]
    finally:
        await c.close()
    # what comes from where: only the changed values are the console's
    view = await a.ward_settings.view(official, "tay-ho")
    assert view.office.from_console("hours") and view.office.from_console("phones")
    assert not view.office.from_console("address") and not view.office.from_console("neighbourhoods")
    assert view.office.edited_by == "Người 3001" and view.office.can_edit

    assert await a.ward_settings.reset_office(official, "tay-ho")
    assert a.content.wards["tay-ho"] == a.ward_settings.offices.yaml_ward("tay-ho")
    assert "Giờ làm việc: cháu chưa có thông tin" in card(a)
    await b.extra["ward_offices"].tick()
    assert b.content.wards["tay-ho"].office.phones == [] and b.content.wards["tay-ho"].office.hours is None
    assert not await a.ward_settings.reset_office(official, "tay-ho")  # nothing left to undo

    admin = await console_user(a, 9001, Role.ADMIN)
    audit = await a.console.audit(admin)
    edit = next(x for x in audit if x.action == "office_edit")
    assert edit.ward_id == "tay-ho" and HOURS in edit.detail and PHONE in edit.detail
    assert [x.action for x in audit].count("office_reset") == 1


async def test_the_tdp_list_and_address_an_admin_edits_and_what_a_resident_picks_from(two):
    a, _ = two
    admin = await console_user(a, 9001, Role.ADMIN)
    form = OfficeForm(address="  1 Đường  Mới ", tdps="Tổ 1, Tổ 2\nTổ 3")
    assert await a.ward_settings.edit_office(admin, "phu-thuong", form)
    w = a.content.wards["phu-thuong"]
    assert w.neighbourhoods == ["Tổ 1", "Tổ 2", "Tổ 3"]
    assert w.office.address == "1 Đường Mới" and not w.office.address_uncertain  # the ward's own word
    assert a.content.wards["tay-ho"].neighbourhoods == "unknown"  # the other ward untouched
    # typed back to the YAML's values: nothing of the console's is left
    yaml = a.ward_settings.offices.yaml_ward("phu-thuong")
    assert yaml is not None
    assert await a.ward_settings.edit_office(admin, "phu-thuong", OfficeForm(address=yaml.office.address or ""))
    assert a.content.wards["phu-thuong"] == yaml and a.ward_settings.offices.override("phu-thuong") is None


@pytest.mark.parametrize(
    "form, errors",
    [
        (OfficeForm(phones="024 3753 abc"), {"phones": "phone_chars"}),
        (OfficeForm(phones="0243"), {"phones": "phone_digits"}),
        (OfficeForm(phones="+1 202 555 0100"), {"phones": "phone_country"}),
        (OfficeForm(phones="8888 8888"), {"phones": "phone_vn"}),
        (OfficeForm(phones="0243 753 1234, 0243.753.1234"), {"phones": "phones_dup"}),
        (OfficeForm(phones=",".join(f"091234567{i}" for i in range(6))), {"phones": "phones_many"}),
        (OfficeForm(address="x" * 201, hours_vi="y" * 201), {"address": "address_long", "hours_vi": "hours_long"}),
        (OfficeForm(hours_en="Mon–Fri"), {"hours_vi": "hours_vi_missing"}),
        (OfficeForm(tdps="Tổ 1\ntổ 1"), {"tdps": "tdps_dup"}),
        (OfficeForm(tdps="T" * 41), {"tdps": "tdp_long"}),
        (OfficeForm(tdps="Tổ Đồng Cổ Ấp Thái Ấp Vẽ Hồ Tây Bưởi Hạ"), {"tdps": "tdp_button"}),
        (OfficeForm(tdps=",".join(f"Tổ {i}" for i in range(201))), {"tdps": "tdps_many"}),
    ],
)
async def test_bad_values_are_refused_with_a_code_per_field_and_nothing_changes(two, form, errors):
    a, _ = two
    official = await console_user(a, 3001, Role.OFFICIAL, "tay-ho")
    before = a.content.wards["tay-ho"]
    with pytest.raises(OfficeFormErrors) as e:
        await a.ward_settings.edit_office(official, "tay-ho", form)
    assert e.value.errors == errors
    assert a.content.wards["tay-ho"] == before and a.ward_settings.offices.override("tay-ho") is None


async def test_staff_and_another_wards_official_may_not_edit(two):
    a, _ = two
    staff = await console_user(a, 2001, Role.STAFF, "tay-ho")
    other = await console_user(a, 3002, Role.OFFICIAL, "phu-thuong")
    form = OfficeForm(hours_vi=HOURS)
    for user in (staff, other):
        with pytest.raises(NotAllowed):
            await a.ward_settings.edit_office(user, "tay-ho", form)
        with pytest.raises(NotAllowed):
            await a.ward_settings.reset_office(user, "tay-ho")
    assert not (await a.ward_settings.view(staff, "tay-ho")).office.can_edit
    assert a.content.wards["tay-ho"].office.hours is None

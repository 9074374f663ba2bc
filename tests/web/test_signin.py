"""Signing in to the web console with a one-time `/web` link: used, expired and forged links, CSRF, sessions."""

from __future__ import annotations

import logging

from bot.adapters.web.session import COOKIE
from tests.telegram.test_helpdesk_roundtrip import ADMIN, staff_group
from tests.web.console_kit import console_client, csrf_of, sign_in, web_token

STAFF = 2001


async def test_staff_signs_in_with_a_web_link_once(harness, caplog):
    caplog.set_level(logging.INFO)
    await staff_group(harness)
    token = await web_token(harness, STAFF)
    async with console_client(harness) as web:
        r = await sign_in(web, token)
        assert r.status_code == 303 and r.headers["location"] == "/tickets"
        cookie = r.headers["set-cookie"]
        assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower() and "Secure" not in cookie
        page = await web.get("/tickets")
        assert page.status_code == 200 and "Cán bộ Hà (cán bộ)" in page.text
    # the same link, a second time (another browser): refused
    async with console_client(harness) as other:
        again = await other.post("/login", data={"t": token})
        assert again.status_code == 400 and "đã hết hạn hoặc đã được dùng" in again.text
        assert COOKIE not in other.cookies
        assert (await other.get("/tickets")).headers["location"] == "/login"
    # neither the link's token nor the session cookie is ever logged (httpx's own lines are the browser's)
    logged = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("httpx"))
    assert "POST /login 303" in logged
    assert token not in logged and web.cookies.get(COOKIE, "?") not in logged


async def test_an_expired_link_is_refused(harness):
    await staff_group(harness)
    token = await web_token(harness, STAFF)
    harness.clock.advance(minutes=10, seconds=1)
    async with console_client(harness) as web:
        r = await web.post("/login", data={"t": token})
        assert r.status_code == 400 and "Gửi lại /web" in r.text
        assert (await web.post("/login", data={"t": "forged-token"})).status_code == 400


async def test_a_resident_gets_a_polite_refusal(harness):
    lan = await harness.onboarded()
    out = await lan.send("/web")
    assert "chỉ dành cho cán bộ phường" in out[-1].text and "Bác" in out[-1].text
    assert "login?t=" not in out[-1].text


async def test_a_form_without_its_csrf_token_is_refused(harness):
    await staff_group(harness)
    async with console_client(harness) as web:
        await sign_in(web, await web_token(harness, STAFF))
        r = await web.post("/logout", data={})
        assert r.status_code == 403 and "mã bảo vệ" in r.text
        r = await web.post("/logout", data={"csrf": "wrong"})
        assert r.status_code == 403
        # still signed in; with the page's token signing out works
        page = await web.get("/tickets")
        assert page.status_code == 200
        out = await web.post("/logout", data={"csrf": csrf_of(page.text)})
        assert out.status_code == 200 and "Đã đăng xuất" in out.text
        assert (await web.get("/tickets")).status_code == 303


async def test_session_ends_after_twelve_idle_hours_and_a_forged_cookie_signs_nobody_in(harness):
    await staff_group(harness)
    async with console_client(harness) as web:
        await sign_in(web, await web_token(harness, STAFF))
        value = web.cookies[COOKIE]
    async with console_client(harness) as forged:
        forged.cookies.set(COOKIE, value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
        assert (await forged.get("/tickets")).status_code == 303


async def test_revoking_the_role_ends_the_session(harness):
    admin = await staff_group(harness)
    async with console_client(harness) as web:
        await sign_in(web, await web_token(harness, STAFF))
        assert (await web.get("/tickets")).status_code == 200
        out = await admin.send(f"/revoke_staff {STAFF}")
        assert "Thu hồi quyền cán bộ" in out[-1].text  # asked first (issue 14 #7)
        await admin.press("Có, thu hồi")
        assert (await web.get("/tickets")).headers["location"] == "/login"


async def test_admin_sees_the_audit_log_staff_do_not(harness):
    await staff_group(harness)
    async with console_client(harness) as web:
        await sign_in(web, await web_token(harness, STAFF))
        assert (await web.get("/audit")).status_code == 403
    async with console_client(harness) as web:
        await sign_in(web, await web_token(harness, ADMIN, "Quản trị"))
        page = await web.get("/audit")
        assert page.status_code == 200 and "web_signin" in page.text and "bind_group" in page.text


async def test_unknown_pages_and_wrong_methods_get_a_clear_page(harness):
    await staff_group(harness)
    async with console_client(harness) as web:
        await sign_in(web, await web_token(harness, STAFF))
        for path in ("/nothing-here", "/tickets/999", "/tickets/abc", "/tickets/99999999999"):
            r = await web.get(path)
            assert r.status_code == 404 and "Không tìm thấy" in r.text, path
        r = await web.delete("/tickets")
        assert r.status_code == 405 and "không nhận thao tác" in r.text
        big = await web.post("/logout", content=b"x" * 70_000, headers={"content-type": "text/plain"})
        assert big.status_code == 413


async def test_behind_https_the_cookie_is_secure_and_english_is_one_click_away(harness):
    await staff_group(harness)
    harness.app.settings.web_base_url = "https://console.example.org"
    token = await web_token(harness, STAFF)
    async with console_client(harness) as web:
        r = await sign_in(web, token)
        assert "Secure" in r.headers["set-cookie"]
        switched = await web.get("/lang/en", params={"back": "/login"})
        assert switched.status_code == 303 and switched.headers["location"] == "/login"
        page = await web.get("/login")
        assert "To sign in, send /web" in page.text and 'lang="en"' in page.text
        assert (await web.get("/lang/en", params={"back": "//evil.example"})).headers["location"] == "/"


async def test_bot_web_without_a_token_says_how_to_open_it_locally(tmp_path):
    from tests.cli.test_bad_settings import bot_command

    code, _out, err = await bot_command(["web"], {"DATABASE_URL": f"sqlite:///{tmp_path / 'b.db'}"}, str(tmp_path))
    assert code == 2 and err.strip().startswith("BOT_TOKEN: not set") and ":web" in err
    assert "Traceback" not in err

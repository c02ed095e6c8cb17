from domain.devices import device_label, secret_hash

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)
ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36"
)


def test_a_device_is_named_after_its_system_and_browser():
    assert device_label(IPHONE) == "iPhone, Safari"
    assert device_label(ANDROID) == "Android phone, Chrome"
    assert device_label("") == "Unknown system, browser"


def test_a_device_secret_is_stored_only_as_a_hash():
    assert secret_hash("s3cret") != "s3cret"
    assert len(secret_hash("s3cret")) == 64

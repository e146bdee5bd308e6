"""Every service guide page puts saving the evidence first and asking the poster last (only if safe),
warns where requests are public, and offers the other routes when the service will not remove."""

from __future__ import annotations

import re
from typing import Any

import pytest

from mamori.consult.catalogue import consult_map

GUIDES = sorted(consult_map().services)


@pytest.mark.parametrize("service_id", GUIDES)
@pytest.mark.parametrize("lang", ["ja", "en", "ja-easy"])
def test_the_guide_page_keeps_the_safe_order(client: Any, service_id: str, lang: str) -> None:
    page = client.get(f"/consult/guides/{service_id}?lang={lang}")
    assert page.status_code == 200, page.text[:300]
    steps = re.findall(r'data-step="([a-z_]+)"', page.text)
    assert steps[0] == "save_evidence"
    assert "ask_poster" not in steps or steps[-1] == "ask_poster"
    guide = consult_map().services[service_id]
    assert guide.if_refused is not None and 'id="if-refused"' in page.text
    if guide.requests_public:
        assert guide.report(lang) in page.text.replace("&#39;", "'").replace("&quot;", '"')

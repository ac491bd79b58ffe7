"""The site icon: linked from every page, and /favicon.ico (asked by browsers on pages without the link) leads to it."""

def test_the_favicon_is_linked_and_favicon_ico_leads_to_it(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("img/favicon.svg")
    page = client.get("/accounts/login/").content.decode()
    assert 'rel="icon"' in page and "img/favicon.svg" in page

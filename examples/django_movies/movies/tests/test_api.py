"""The JSON API on request.user: plain Django views, or DRF ones when DRF is installed."""
import json
from unittest import mock

from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.test import Client, override_settings

from movies.models import Rating, Reaction, WatchlistEntry
from recsys.django import service

from .helpers import DRAMA, SCI_FI, TrainedTestCase, recsys_settings

DRF = settings.USE_DRF


class ApiTests(TrainedTestCase):
    def setUp(self) -> None:
        self.user = self.users[0]
        self.client.force_login(self.user)

    def get(self, url: str, **params: str):  # type: ignore[no-untyped-def]
        return self.client.get(url, params)

    def post(self, url: str, body: dict, client: Client | None = None):  # type: ignore[no-untyped-def]
        return (client or self.client).post(url, json.dumps(body), content_type="application/json")

    def assert_error(self, response, status: int) -> None:  # type: ignore[no-untyped-def]
        self.assertEqual(response.status_code, status, response.content)
        self.assertEqual(response["Content-Type"], "application/json")
        body = response.json()
        self.assertTrue(body, "an error has a JSON body")

    def test_drf_is_used_only_when_installed(self) -> None:
        import sys

        self.assertEqual("rest_framework" in settings.INSTALLED_APPS, DRF)
        if not DRF:
            self.assertIsNone(sys.modules.get("rest_framework"), "the plain views never import DRF")

    def test_anonymous_requests_are_refused(self) -> None:
        anonymous = Client()
        for url in ["/api/recommendations", "/api/me", "/api/movies/1/why"]:
            with self.subTest(url=url):
                self.assert_error(anonymous.get(url), 403 if DRF else 401)
        self.assert_error(self.post("/api/rate", {"item_id": "1", "rating": 5}, client=anonymous), 403 if DRF else 401)

    def test_for_you_excludes_rated_items_and_carries_reasons(self) -> None:
        response = self.get("/api/recommendations", n="10")
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertFalse(body["model"]["fallback"])
        self.assertEqual(len(body["items"]), 10)
        rated = {str(m) for m in Rating.objects.filter(user=self.user).values_list("movie_id", flat=True)}
        self.assertFalse(rated & {item["item_id"] for item in body["items"]})
        for item in body["items"]:
            self.assertTrue(item["title"].endswith(f"movie {item['item_id']}"))
            self.assertTrue(item["reasons"] and item["explanation"])
            self.assertTrue(1.0 <= item["predicted_rating"] <= 5.0)
        top = [int(item["item_id"]) for item in body["items"][:5]]
        self.assertGreaterEqual(sum(m in SCI_FI for m in top), 4, body["items"])

    def test_every_list(self) -> None:
        for params in [
            {"list": "trending"},
            {"list": "by_genre", "genre": "Drama"},
            {"list": "similar_to", "item": "2"},
            {"list": "because_you_liked", "item": "2"},
        ]:
            with self.subTest(**params):
                response = self.get("/api/recommendations", n="5", **params)
                self.assertEqual(response.status_code, 200, response.content)
                items = response.json()["items"]
                self.assertTrue(items)
                if params["list"] == "by_genre":
                    self.assertTrue(all(item["genres"] == ["Drama"] for item in items), items)

    def test_bad_queries_are_400(self) -> None:
        for params in [
            {"n": "abc"}, {"n": "0"}, {"n": "101"}, {"n": "2.5"}, {"list": "nope"},
            {"list": "similar_to"}, {"list": "by_genre"}, {"list": "by_genre", "genre": "Nope"},
        ]:  # fmt: skip
            with self.subTest(**params):
                self.assert_error(self.get("/api/recommendations", **params), 400)

    def test_unknown_item_is_404(self) -> None:
        self.assert_error(self.get("/api/recommendations", list="similar_to", item="999"), 404)
        self.assert_error(self.get("/api/movies/999/why"), 404)
        self.assert_error(self.get("/api/movies/not-a-number/why"), 404)
        self.assert_error(self.post("/api/rate", {"item_id": "999", "rating": 4}), 404)

    def test_why(self) -> None:
        body = self.get("/api/movies/3/why").json()
        self.assertEqual(body["item_id"], "3")
        self.assertEqual(body["title"], "Sci-Fi movie 3")
        self.assertEqual(body["tags"], ["space"])  # a many-to-many field mapped as tags
        self.assertTrue(body["reasons"] and body["explanation"])
        self.assertEqual(self.get("/api/items/3/why").json()["reasons"], body["reasons"])

    def test_a_rating_counts_at_once_without_retraining(self) -> None:
        model = service.current_model()
        newcomer = User.objects.create_user(username="newcomer")
        self.client.force_login(newcomer)
        cold = self.get("/api/recommendations", n="10").json()
        self.assertEqual(cold["history_size"], 0)
        for movie_id in [21, 22, 23, 24]:
            response = self.post("/api/rate", {"item_id": str(movie_id), "rating": 5})
            self.assertEqual(response.status_code, 200, response.content)
        warm = self.get("/api/recommendations", n="10").json()
        self.assertIs(service.current_model(), model, "no retraining happened")
        self.assertEqual(warm["history_size"], 4)
        ids = [int(item["item_id"]) for item in warm["items"]]
        self.assertFalse({21, 22, 23, 24} & set(ids))
        self.assertGreaterEqual(sum(m in DRAMA for m in ids[:5]), 4, warm["items"])
        self.assertEqual(Rating.objects.get(user=newcomer, movie_id=21).stars, 5)
        # Changing a rating updates the row; null clears it.
        self.post("/api/rate", {"item_id": "21", "rating": 2})
        self.assertEqual(Rating.objects.get(user=newcomer, movie_id=21).stars, 2)
        self.post("/api/rate", {"item_id": "21", "rating": None})
        self.assertFalse(Rating.objects.filter(user=newcomer, movie_id=21).exists())

    def test_rate_validates_its_body(self) -> None:
        for body in [
            {"item_id": "1", "rating": 7}, {"item_id": "1", "rating": "x"}, {"item_id": "1"},
            {"item_id": "1", "rating": 4, "feedback": "like"}, {"item_id": "1", "feedback": "love"},
            {"rating": 4}, {"item_id": "1", "rating": True}, {"item_id": "1", "rating": 4.5},
        ]:  # fmt: skip
            with self.subTest(body=body):
                self.assert_error(self.post("/api/rate", body), 400)
        response = self.client.post("/api/rate", "{not json", content_type="application/json")
        self.assert_error(response, 400)

    def test_likes_dislikes_and_not_interested(self) -> None:
        for kind in ["like", "dislike", "not_interested"]:
            response = self.post("/api/rate", {"item_id": "25", "feedback": kind})
            self.assertEqual(response.status_code, 200, response.content)
            self.assertEqual(Reaction.objects.get(user=self.user, movie_id=25).kind, kind)
        items = self.get("/api/recommendations", n="40").json()["items"]
        self.assertNotIn("25", [item["item_id"] for item in items], "not interested is never recommended")
        self.assertEqual(self.get("/api/me").json()["feedback"], {"25": "not_interested"})
        self.post("/api/rate", {"item_id": "25", "feedback": None})
        self.assertFalse(Reaction.objects.filter(user=self.user, movie_id=25).exists())

    def test_watchlist(self) -> None:
        response = self.post("/api/watchlist/add", {"item_id": "15"})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json(), {"item_id": "15", "watchlisted": True})
        self.assertTrue(WatchlistEntry.objects.filter(user=self.user, movie_id=15).exists())
        self.assertIn("15", self.get("/api/me").json()["watchlist"])
        self.post("/api/watchlist/remove", {"item_id": "15"})
        self.assertFalse(WatchlistEntry.objects.filter(user=self.user, movie_id=15).exists())
        self.assert_error(self.post("/api/watchlist/add", {}), 400)

    def test_me_shows_only_my_feedback(self) -> None:
        me = self.get("/api/me").json()
        self.assertEqual(me["username"], "user0")
        mine = {str(m): float(s) for m, s in Rating.objects.filter(user=self.user).values_list("movie_id", "stars")}
        self.assertEqual(me["ratings"], mine)
        self.client.force_login(self.users[1])
        other = self.get("/api/me").json()
        self.assertEqual(other["username"], "user1")
        self.assertNotEqual(other["ratings"], mine)
        self.assertEqual(other["feedback"], {"30": "like"})

    def test_wrong_methods_are_405(self) -> None:
        for method, url in [("get", "/api/rate"), ("post", "/api/recommendations"), ("delete", "/api/me"), ("get", "/api/watchlist/add")]:
            with self.subTest(method=method, url=url):
                response = getattr(self.client, method)(url)
                self.assert_error(response, 405)
                self.assertIn("Allow", response)
        self.assertEqual(self.client.head("/api/me").status_code, 200)

    def test_csrf_is_enforced_as_json(self) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.user)
        response = self.post("/api/rate", {"item_id": "1", "rating": 4}, client=client)
        self.assert_error(response, 403)
        client.get("/api/me")  # no cookie set by the API; take the token from a page
        page = client.get("/movies/1/")
        token = page.context["csrf_token"]
        response = client.post(
            "/api/rate", json.dumps({"item_id": "1", "rating": 4}), content_type="application/json", HTTP_X_CSRFTOKEN=str(token)
        )
        self.assertEqual(response.status_code, 200, response.content)

    def test_permission_setting(self) -> None:
        with override_settings(RECSYS=recsys_settings(ARTIFACT_PATH=self.artifact, PERMISSION="movies.view_movie")):
            self.assert_error(self.get("/api/recommendations"), 403)
            self.user.user_permissions.add(Permission.objects.get(codename="view_movie"))
            self.user = User.objects.get(pk=self.user.pk)  # drop the permission cache
            self.client.force_login(self.user)
            self.assertEqual(self.get("/api/recommendations").status_code, 200)

    def test_unexpected_errors_are_json_500(self) -> None:
        with mock.patch.object(service, "recommendations", side_effect=RuntimeError("secret detail")):
            with self.assertLogs("recsys.django", "ERROR"):
                response = self.get("/api/recommendations")
        self.assert_error(response, 500)
        self.assertNotIn("secret", response.content.decode())

    def test_status_is_staff_only(self) -> None:
        self.assert_error(self.get("/api/status"), 403)
        staff = User.objects.create_user(username="staff", is_staff=True)
        self.client.force_login(staff)
        body = self.get("/api/status").json()
        self.assertTrue(body["loaded"])
        self.assertEqual(body["n_items"], 40)

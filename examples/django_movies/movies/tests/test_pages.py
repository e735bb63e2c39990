"""Server-rendered pages: carousels and "Why this movie?" through the template tags, the
feedback buttons, accounts."""
from django.contrib.auth.models import User

from movies.models import Rating, Reaction, WatchlistEntry

from .helpers import TrainedTestCase


class PageTests(TrainedTestCase):
    def setUp(self) -> None:
        self.user = self.users[0]
        self.client.force_login(self.user)

    def test_home_shows_carousels_with_reasons(self) -> None:
        response = self.client.get("/")
        self.assertEqual(response.status_code, 200)
        for title in ["For you", "Because you liked", "Trending", "Top Sci-Fi"]:
            self.assertContains(response, title)
        self.assertContains(response, 'class="recsys-reason"', count=10 + 6 + 6 + 6)
        self.assertNotContains(response, "recsys-error")

    def test_movie_page_shows_why_and_similar_movies(self) -> None:
        response = self.client.get("/movies/3/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Why Sci-Fi movie 3?")
        self.assertContains(response, "Similar movies")
        self.assertEqual(self.client.get("/movies/999/").status_code, 404)

    def test_feedback_buttons(self) -> None:
        url = "/movies/25/feedback"
        self.assertRedirects(self.client.post(url, {"action": "rate", "stars": "4"}), "/movies/25/")
        self.assertEqual(Rating.objects.get(user=self.user, movie_id=25).stars, 4)
        self.client.post(url, {"action": "like"})
        self.assertEqual(Reaction.objects.get(user=self.user, movie_id=25).kind, "like")
        self.client.post(url, {"action": "not_interested"})
        self.assertEqual(Reaction.objects.get(user=self.user, movie_id=25).kind, "not_interested")
        self.client.post(url, {"action": "clear"})
        self.assertFalse(Reaction.objects.filter(user=self.user, movie_id=25).exists())
        self.client.post(url, {"action": "watchlist_add"})
        self.assertTrue(WatchlistEntry.objects.filter(user=self.user, movie_id=25).exists())
        self.client.post(url, {"action": "watchlist_remove"})
        self.assertFalse(WatchlistEntry.objects.filter(user=self.user, movie_id=25).exists())
        self.assertEqual(self.client.post(url, {"action": "rate", "stars": "9"}).status_code, 400)
        self.assertEqual(self.client.post(url, {"action": "explode"}).status_code, 400)
        self.assertEqual(self.client.get(url).status_code, 405)

    def test_pages_need_login_and_signup_works(self) -> None:
        self.client.logout()
        self.assertRedirects(self.client.get("/"), "/accounts/login/?next=/")
        self.assertEqual(self.client.get("/accounts/login/").status_code, 200)
        response = self.client.post(
            "/accounts/signup/", {"username": "newbie", "password1": "a-long-pass-phrase-42", "password2": "a-long-pass-phrase-42"}
        )
        self.assertRedirects(response, "/")
        self.assertTrue(User.objects.filter(username="newbie").exists())
        home = self.client.get("/")
        self.assertContains(home, "Hello newbie")
        self.assertContains(home, 'class="recsys-reason"')

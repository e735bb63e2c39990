"""Template tags: ``{% load recsys %}``.

- ``{% recsys_carousel "for_you" n=10 title="For you" %}`` renders a carousel
  (``recsys/carousel.html``) for ``request.user``; ``item=`` / ``genre=`` for the lists that
  need them.
- ``{% recsys_why item_id %}`` renders "Why this item?" (``recsys/why.html``).
- ``{% recsys_recommendations "trending" n=5 as items %}`` puts the answer (a dict with
  ``items``) in a variable for your own markup.

They need ``django.template.context_processors.request``; errors render as an empty carousel
with a message, never as an exception in the page.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, Optional

from django import template

from recsys.django import service

register = template.Library()
logger = logging.getLogger("recsys.django")


def _user(context: Any) -> Any:
    request = context.get("request")
    return getattr(request, "user", None)


@register.simple_tag(takes_context=True)
def recsys_recommendations(
    context: Any, list: str = "for_you", n: int = 10, item: Optional[str] = None, genre: Optional[str] = None
) -> Dict[str, Any]:
    try:
        return service.recommendations(_user(context), list, n, item=None if item is None else str(item), genre=genre)
    except service.ApiError as error:
        return {"list": list, "items": [], "error": error.message}
    except Exception:
        logger.exception("recsys: the %s carousel failed", list)
        return {"list": list, "items": [], "error": "recommendations are unavailable"}


@register.inclusion_tag("recsys/carousel.html", takes_context=True)
def recsys_carousel(
    context: Any, list: str = "for_you", n: int = 10, title: Optional[str] = None, item: Optional[str] = None, genre: Optional[str] = None
) -> Dict[str, Any]:
    answer = recsys_recommendations(context, list, n, item, genre)
    return {"carousel": answer, "title": title or list.replace("_", " ").capitalize(), "list": list}


@register.inclusion_tag("recsys/why.html", takes_context=True)
def recsys_why(context: Any, item_id: Any) -> Dict[str, Any]:
    try:
        return {"why": service.why(_user(context), str(item_id))}
    except service.ApiError as error:
        return {"why": None, "error": error.message}
    except Exception:
        logger.exception("recsys: why %s failed", item_id)
        return {"why": None, "error": "reasons are unavailable"}

"""A reusable Django app for recsys: add ``"recsys.django"`` to ``INSTALLED_APPS``.

- ``settings.RECSYS`` maps the project's models to events and a catalogue
  (:mod:`recsys.django.conf`); ``manage.py check`` reports mapping mistakes.
- ``manage.py recsys_train`` trains, evaluates on a held-out split, stores the run
  (:class:`~recsys.django.models.TrainingRun`, in the admin) and writes the artifact;
  ``manage.py recsys_load_movielens`` fills the mapped models with MovieLens-100K.
- Every process serves the artifact through a :class:`~recsys.django.holder.ModelHolder`: loaded
  without ever failing startup, swapped when a newer file appears, with a popularity fallback
  while no good model exists.
- JSON views on ``request.user`` (``recsys.django.urls``; DRF ones in ``recsys.django.rest_urls``),
  template tags (``{% load recsys %}``) and an optional Celery task (``recsys.django.tasks``).

Install with ``pip install "recsys[django]"`` (``recsys[drf]`` adds Django REST framework).
"""

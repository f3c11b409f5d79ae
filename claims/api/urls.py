"""Routes under /api/: the versioned API, its OpenAPI schema and the interactive docs."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from . import schema  # noqa: F401  (registers the token scheme with drf-spectacular)
from .views.articles import ArticleViewSet
from .views.base import ApiDocsView, endpoint_not_found
from .views.catalogue import ExportViewSet, RatingViewSet
from .views.claims import ClaimViewSet
from .views.decisions import EvidenceViewSet, FindingViewSet, SuggestionViewSet
from .views.explainers import ExplainerViewSet
from .views.factchecks import FactCheckViewSet
from .views.sources import SourceViewSet
from .views.webhooks import WebhookDeliveryViewSet, WebhookEndpointViewSet

router = SimpleRouter()
router.register("articles", ArticleViewSet, basename="article")
router.register("claims", ClaimViewSet, basename="claim")
router.register("evidence", EvidenceViewSet, basename="evidence")
router.register("suggestions", SuggestionViewSet, basename="suggestion")
router.register("findings", FindingViewSet, basename="finding")
router.register("sources", SourceViewSet, basename="source")
router.register("factchecks", FactCheckViewSet, basename="factcheck")
router.register("ratings", RatingViewSet, basename="rating")
router.register("exports", ExportViewSet, basename="export")
router.register("explainers", ExplainerViewSet, basename="explainer")
router.register("webhook-endpoints", WebhookEndpointViewSet, basename="webhook_endpoint")
router.register("webhook-deliveries", WebhookDeliveryViewSet, basename="webhook_delivery")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
    re_path(r"^(?P<unmatched>.*)$", endpoint_not_found, name="api-not-found"),
]

from django.urls import path

from . import feeds
from .views import annotations, articles, auth, dashboard, editor, evidence, exports, inbox, queue, sources, workspace
from .views import public as public_views

app_name = "claims"

urlpatterns = [
    path("", queue.queue, name="queue"),
    path("take-next/", queue.take_next, name="take_next"),
    path("bulk/", queue.queue_bulk, name="queue_bulk"),
    path("filters/", queue.saved_filter_save, name="saved_filter_save"),
    path("filters/<int:saved_filter_id>/delete/", queue.saved_filter_delete, name="saved_filter_delete"),
    path("claims/<int:claim_id>/", workspace.workspace, name="workspace"),
    path("claims/<int:claim_id>/take/", queue.take, name="take"),
    path("claims/<int:claim_id>/release/", queue.release, name="release"),
    path("claims/<int:claim_id>/dismiss/", queue.dismiss, name="dismiss"),
    path("claims/<int:claim_id>/promote/", queue.promote, name="promote"),
    path("claims/<int:claim_id>/annotations/", annotations.annotations_correct, name="annotations_correct"),
    path("claims/<int:claim_id>/extend/", workspace.extend, name="extend"),
    path("claims/<int:claim_id>/suggestions/", workspace.suggestions_panel, name="suggestions"),
    path("claims/<int:claim_id>/evidence/", evidence.evidence_add, name="evidence_add"),
    path("claims/<int:claim_id>/evidence/search/", evidence.evidence_search, name="evidence_search"),
    path(
        "claims/<int:claim_id>/evidence/new-source/", evidence.evidence_add_new_source, name="evidence_add_new_source"
    ),
    path("claims/<int:claim_id>/evidence/<int:evidence_id>/remove/", workspace.evidence_remove, name="evidence_remove"),
    path("claims/<int:claim_id>/verdict/", workspace.verdict_draft, name="verdict_draft"),
    path("claims/<int:claim_id>/approve/", editor.approve, name="approve"),
    path("claims/<int:claim_id>/send-back/", editor.send_back, name="send_back"),
    path("claims/<int:claim_id>/publish/", editor.publish, name="publish"),
    path("claims/<int:claim_id>/reopen/", editor.reopen, name="reopen"),
    path("suggestions/<int:suggestion_id>/accept/", workspace.suggestion_accept, name="suggestion_accept"),
    path("suggestions/<int:suggestion_id>/reject/", workspace.suggestion_reject, name="suggestion_reject"),
    path("findings/<int:finding_id>/confirm/", workspace.finding_confirm, name="finding_confirm"),
    path("findings/<int:finding_id>/dismiss/", workspace.finding_dismiss, name="finding_dismiss"),
    path("editor/", editor.editor, name="editor"),
    path("editor/export/", exports.export_page, name="export"),
    path("inbox/", inbox.inbox, name="inbox"),
    path("articles/add/", articles.article_add, name="article_add"),
    path("articles/<int:article_id>/", articles.article_detail, name="article"),
    path("articles/<int:article_id>/retry/", articles.article_retry, name="article_retry"),
    path("appearances/<int:appearance_id>/split/", workspace.appearance_split, name="appearance_split"),
    path("claims/<int:claim_id>/merge/", workspace.claim_merge, name="claim_merge"),
    path("sources/", sources.library, name="sources"),
    path("sources/add/", sources.source_add, name="source_add"),
    path("sources/import/", sources.source_import, name="source_import"),
    path("sources/<int:source_id>/edit/", sources.source_edit, name="source_edit"),
    path("sources/<int:source_id>/retire/", sources.source_retire, name="source_retire"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("checks/", public_views.check_index, name="public_index"),
    path("checks/feed.atom", feeds.atom_feed, name="public_feed_atom"),
    path("checks/feed.json", feeds.json_feed, name="public_feed_json"),
    path("checks/claimreview.json", feeds.claimreview_feed, name="public_claimreview_feed"),
    path("checks/<int:claim_id>/", public_views.check_page, name="public_check_short"),
    path("checks/<int:claim_id>-<slug:slug>/", public_views.check_page, name="public_check"),
    path("accounts/login/", auth.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth.LogoutView.as_view(), name="logout"),
]

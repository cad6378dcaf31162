from django.urls import path

from participation import feeds
from participation.analytics import views as analytics
from participation.surveys import views as surveys
from participation.views import content, event_staff, events, proposals, public_proposals

app_name = "participation"

urlpatterns = [
    # proposals
    path("proposte/", proposals.proposal_list, name="proposal_list"),
    path("proposte/nuova/", proposals.proposal_create, name="proposal_create"),
    path("proposte/esporta/", proposals.proposal_export, name="proposal_export"),
    path("proposte/<int:pk>/", proposals.proposal_detail, name="proposal_detail"),
    path("proposte/<int:pk>/sostegno/", proposals.proposal_support, name="proposal_support"),
    path("proposte/<int:pk>/commenti/", proposals.proposal_comment, name="proposal_comment"),
    path("proposte/<int:pk>/risposta/", proposals.proposal_answer, name="proposal_answer"),
    path(
        "proposte/<int:pk>/allegati/<int:attachment_pk>/",
        proposals.proposal_attachment,
        name="proposal_attachment",
    ),
    path("proposte/<int:pk>/nascondi/", public_proposals.proposal_hide, name="proposal_hide"),
    path(
        "proposte/<int:pk>/ripristina/", public_proposals.proposal_restore, name="proposal_restore"
    ),
    path(
        "proposte/<int:pk>/commenti/<int:comment_pk>/nascondi/",
        public_proposals.comment_hide,
        name="proposal_comment_hide",
    ),
    path(
        "proposte/<int:pk>/commenti/<int:comment_pk>/ripristina/",
        public_proposals.comment_restore,
        name="proposal_comment_restore",
    ),
    path(
        "ambito/<slug:code>/proposte/", public_proposals.public_proposals, name="public_proposals"
    ),
    path(
        "ambito/<slug:code>/proposte/nuova/",
        public_proposals.citizen_proposal_create,
        name="citizen_proposal_create",
    ),
    path(
        "ambito/<slug:code>/partecipazione/",
        public_proposals.participation_settings,
        name="participation_settings",
    ),
    # events
    path("eventi/", events.event_list, name="event_list"),
    path("eventi/nuovo/", event_staff.event_create, name="event_create"),
    path("eventi/<int:pk>/", events.event_detail, name="event_detail"),
    path("eventi/<int:pk>/calendario.ics", events.event_calendar, name="event_calendar"),
    path(
        "eventi/<int:pk>/richiesta-inviata/",
        events.registration_requested,
        name="registration_requested",
    ),
    path("eventi/<int:pk>/modifica/", event_staff.event_edit, name="event_edit"),
    path("eventi/<int:pk>/annulla/", event_staff.event_cancel, name="event_cancel"),
    path("eventi/<int:pk>/sessioni/nuova/", event_staff.session_edit, name="session_create"),
    path(
        "eventi/<int:pk>/sessioni/<int:session_pk>/", event_staff.session_edit, name="session_edit"
    ),
    path(
        "eventi/<int:pk>/iscrizioni/", event_staff.event_registrations, name="event_registrations"
    ),
    path("eventi/<int:pk>/iscrizioni/scarica", event_staff.event_export, name="event_export"),
    path("eventi/<int:pk>/accoglienza/", event_staff.event_checkin, name="event_checkin"),
    path(
        "eventi/<int:pk>/accoglienza/<int:booking_pk>/",
        event_staff.booking_attendance,
        name="booking_attendance",
    ),
    path("iscrizione/<str:token>/", events.registration_manage, name="registration_manage"),
    # surveys
    path("questionari/", surveys.survey_list, name="survey_list"),
    path("questionari/nuovo/", surveys.survey_create, name="survey_create"),
    path("questionari/<int:pk>/", surveys.survey_detail, name="survey_detail"),
    path("questionari/<int:pk>/modifica/", surveys.survey_edit, name="survey_edit"),
    path("questionari/<int:pk>/pubblica/", surveys.survey_publish, name="survey_publish"),
    path("questionari/<int:pk>/chiudi/", surveys.survey_close, name="survey_close"),
    path("questionari/<int:pk>/risultati/", surveys.survey_results, name="survey_results"),
    path("questionari/<int:pk>/risposte/", surveys.survey_export, name="survey_export"),
    # news and library
    path("notizie/", content.news_list, name="news_list"),
    path("notizie/nuova/", content.news_create, name="news_create"),
    path("notizie/<int:pk>/", content.news_detail, name="news_detail"),
    path("notizie/<int:pk>/modifica/", content.news_edit, name="news_edit"),
    path("biblioteca/", content.library, name="library"),
    path("biblioteca/nuovo/", content.library_create, name="library_create"),
    path("biblioteca/<int:pk>/", content.library_detail, name="library_detail"),
    path("biblioteca/<int:pk>/modifica/", content.library_edit, name="library_edit"),
    path("ambito/<slug:code>/regolamento/", content.ambito_charter, name="ambito_charter"),
    path("ambito/<slug:code>/principi/", content.principles_edit, name="principles_edit"),
    # analytics (the ambito's staff)
    path("ambito/<slug:code>/analisi/", analytics.analytics, name="analytics"),
    path(
        "ambito/<slug:code>/analisi/scarica",
        analytics.analytics_export,
        name="analytics_export",
    ),
    # feeds
    path("feed/notizie.rss", feeds.NewsFeed(), name="news_feed"),
    path("feed/notizie.atom", feeds.NewsAtomFeed(), name="news_feed_atom"),
    path("feed/avvisi.rss", feeds.AvvisiFeed(), name="avvisi_feed"),
    path("feed/avvisi.atom", feeds.AvvisiAtomFeed(), name="avvisi_feed_atom"),
]

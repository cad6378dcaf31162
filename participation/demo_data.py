"""The content of the participation demo (see participation.demo): the Stati generali's sessions,
the ten principles, the news, the library and the proposals the Stati generali produced.

Library links point to real public documents or, when the exact address of a document could
not be checked, to its publisher's official site: never to invented addresses."""

from __future__ import annotations

from datetime import time

STATI_GENERALI = "Stati generali dell'innovazione sociale"
STATI_GENERALI_DAYS_AGO = 60  # between the first (70 days ago) and second (28) Inclusione meetings
REPORT_DAYS_AFTER = 7

# title, room, start, capacity, table slug, what came out of it (for the report)
SESSIONS = [
    ("Governance partecipata", "Sala del Consiglio", time(10, 0), 60, "inclusione",
     "Come far entrare le proposte dei tavoli nel Piano di Zona: un punto di accesso unico e "
     "una rete di distribuzione solidale nei comuni più piccoli."),
    ("Competenze del Terzo settore", "Sala Verdi", time(10, 0), 40, "famiglia",
     "Educatori, volontari e famiglie insieme per un'estate inclusiva dei minori con disabilità."),
    ("Tecnologie per l'innovazione sociale", "Sala Rossa", time(14, 30), 40, "non-autosufficienza",
     "Teleassistenza e compagnia telefonica per chi vive solo nelle frazioni dell'entroterra."),
    ("Sostenibilità dei servizi", "Sala del Consiglio", time(14, 30), 60, "salute-mentale",
     "Servizi che durano quando le famiglie e gli enti ne condividono la gestione con il DSM."),
]  # fmt: skip

# The ten principles of the Regolamento: the five ATS 1 Pesaro wrote with its Third Sector first,
# then those of art. 118 Cost., D.M. 72/2021 and the regolamenti on shared administration.
PRINCIPLES = [
    ("Pubblicità e trasparenza",
     "Ogni fase dei procedimenti e dei tavoli è documentata e consultabile: avvisi, verbali, esiti."),
    ("Fiducia reciproca",
     "Amministrazione ed enti collaborano in buona fede, condividendo informazioni e risorse."),
    ("Autonomia civica",
     "Il Terzo settore partecipa con le proprie idee e la propria organizzazione, non come esecutore."),
    ("Prossimità e lavoro di rete",
     "I servizi nascono vicino alle persone e mettono in rete comuni, enti e comunità."),
    ("Accessibilità", "Luoghi, strumenti e documenti sono accessibili a tutti, senza barriere."),
    ("Sussidiarietà orizzontale",
     "I comuni favoriscono l'iniziativa dei cittadini e degli enti per attività di interesse "
     "generale (art. 118, quarto comma, della Costituzione)."),
    ("Responsabilità",
     "Ciascuno risponde degli impegni presi: l'ambito delle risorse e degli atti, gli enti delle "
     "attività e dei risultati, rendicontati."),
    ("Inclusività e apertura",
     "Tavoli e procedimenti sono aperti a ogni ente interessato, con requisiti pubblici e uguali "
     "per tutti."),
    ("Pari opportunità e non discriminazione",
     "Nessuno è escluso per genere, origine, età, disabilità o condizione sociale; si curano i "
     "tempi e i luoghi perché tutti possano partecipare."),
    ("Sostenibilità e proporzionalità",
     "Gli impegni sono commisurati alle forze di ciascun ente; le procedure sono semplici quanto "
     "l'oggetto consente."),
]  # fmt: skip

# title, summary, body, days ago (the report of the Stati generali is built by participation.demo)
NEWS = [
    ("Al via i tavoli tematici del Piano di Zona 2025-2027",
     "Quattro tavoli, oltre 40 enti iscritti: si parte dall'analisi dei bisogni.",
     "<p>Sono partiti i tavoli tematici su <strong>inclusione</strong>, salute mentale, non "
     "autosufficienza e famiglia, con gli enti del Terzo settore dei nove comuni dell'ambito. "
     "Ogni tavolo si riunirà almeno una volta ogni due mesi fino all'approvazione del Piano.</p>",
     118),
    ("Co-programmazione per l'inclusione sociale: pubblicato il documento di sintesi",
     "Bisogni, priorità e risorse emersi dal tavolo Inclusione con gli enti ammessi.",
     "<p>Si è chiusa la co-programmazione per l'inclusione sociale. Il documento di sintesi "
     "indica i bisogni (povertà abitativa, isolamento degli anziani soli, accesso ai servizi per "
     "le famiglie straniere) e le priorità: pronto intervento sociale, empori solidali, "
     "orientamento al lavoro.</p><ul><li>Risorse: Fondo Povertà, PN Inclusione 2021-2027, "
     "cofinanziamento degli enti.</li></ul>",
     50),
    ("Non autosufficienza: aperto l'avviso di co-progettazione",
     "480.000 euro in 36 mesi per assistenza domiciliare, centri diurni e sollievo alle famiglie.",
     "<p>L'Ufficio di Piano ha pubblicato l'avviso per la co-progettazione dei servizi per la non "
     "autosufficienza (FNA 2025-2027). Possono partecipare gli enti del Terzo settore iscritti al "
     "RUNTS con almeno tre anni di esperienza nel territorio dell'ATS 6: domande entro 21 giorni.</p>",
     0),
]  # fmt: skip
RETIRED_NEWS = [  # titles of earlier demo news that told another story
    "Co-progettazione del centro per le famiglie: ammessi sei enti",
    "I risultati del primo anno di amministrazione condivisa",
]

# kind, level, title, description, url, source, year, tags
LIBRARY = [
    ("regulation", "national", "D.Lgs. 117/2017 — Codice del Terzo settore, artt. 55-57",
     "Il fondamento dell'amministrazione condivisa: co-programmazione, co-progettazione, "
     "convenzioni con ODV e APS.",
     "https://www.normattiva.it/uri-res/N2Ls?urn:nir:stato:decreto.legislativo:2017-07-03;117",
     "Normattiva", 2017, ["normativa", "art. 55"]),
    ("regulation", "national", "Corte costituzionale, sentenza n. 131/2020",
     "La Corte riconosce nell'art. 55 una delle più significative attuazioni del principio di "
     "sussidiarietà orizzontale.",
     "https://www.cortecostituzionale.it/actionSchedaPronuncia.do?anno=2020&numero=131",
     "Corte costituzionale", 2020, ["sussidiarietà", "giurisprudenza"]),
    ("regulation", "national",
     "D.M. 72/2021 — Linee guida sul rapporto tra pubbliche amministrazioni ed enti del Terzo settore",
     "Il decreto del Ministro del Lavoro e delle Politiche Sociali n. 72 del 31 marzo 2021: le linee "
     "guida per applicare gli artt. 55-57 del Codice, dal sito del Ministero.",
     "https://www.lavoro.gov.it/", "Ministero del Lavoro e delle Politiche Sociali", 2021,
     ["linee guida", "art. 55"]),
    ("regulation", "regional", "L.R. Marche 32/2014 — Sistema regionale integrato dei servizi sociali",
     "La legge regionale che disciplina gli ATS e i Piani di Zona, dal sito del Consiglio regionale.",
     "https://www.consiglio.marche.it/", "Consiglio regionale delle Marche", 2014,
     ["Piano di Zona"]),
    ("regulation", "ambito",
     "Regolamento per l'amministrazione condivisa con il Terzo settore dell'ATS 6",
     "Approvato dal Comitato dei Sindaci dell'ATS 6 e dal Consiglio comunale di Fano, ente "
     "capofila: principi, tavoli, procedimenti di co-programmazione e co-progettazione, "
     "convenzioni. Il testo è pubblicato dal Comune di Fano.",
     "https://comune.fano.pu.it/", "Comune di Fano, ente capofila dell'ATS 6", 2026,
     ["regolamento"]),
    ("good_practice", "",
     "Putignano: i tavoli di concertazione nei cinque comuni per il Piano Sociale di Zona",
     "L'Ambito di Putignano ha tenuto un tavolo di concertazione in ciascuno dei suoi cinque comuni: "
     "le proposte dei portatori di interesse sono entrate nel Piano Sociale di Zona 2018-2020.",
     "https://www.informatissimo.net/attualita/13351-putignano-approvato-il-nuovo-piano-sociale-di-zona-2018-20.html",
     "Informatissimo", 2018, ["tavoli", "proposte"]),
    ("good_practice", "",
     "Regione Toscana: buone pratiche e aggiornamenti sull'amministrazione condivisa",
     "La piattaforma della Regione Toscana con Anci Toscana, Cesvot e il Forum del Terzo settore: "
     "esperienze di co-programmazione e co-progettazione e aggiornamenti normativi.",
     "https://amministrazionecondivisatoscana.it/",
     "Regione Toscana, Anci Toscana, Cesvot, Forum del Terzo settore della Toscana", 2023,
     ["co-progettazione", "buone pratiche"]),
    ("guide", "", "Il Sussidiario sull'amministrazione condivisa",
     "Strumenti, procedure e pratiche per la co-programmazione e la co-progettazione (seconda "
     "edizione, a cura di Luca Gori, Scuola Superiore Sant'Anna).",
     "https://amministrazionecondivisatoscana.it/",
     "Regione Toscana, Anci Toscana, Cesvot, Forum del Terzo settore della Toscana", 2025,
     ["co-progettazione", "enti"]),
    ("guide", "", "Garante privacy: la trasparenza online degli atti e dei verbali",
     "Le linee guida del Garante sulla pubblicazione di dati personali negli atti amministrativi "
     "per finalità di trasparenza: cosa pubblicare nei verbali dei tavoli, cosa no.",
     "https://www.garanteprivacy.it/", "Garante per la protezione dei dati personali", 2014,
     ["tavoli", "trasparenza"]),
]  # fmt: skip
RETIRED_LIBRARY = [  # earlier demo items without a real document behind them
    "Regolamento per l'amministrazione condivisa dell'ATS",
    "Putignano: le proposte dei tavoli entrano nel Piano di Zona",
    "Regione Toscana: la raccolta delle buone pratiche di co-progettazione",
    "Stati generali dell'innovazione sociale: il metodo",
    "Guida per gli enti: partecipare a un avviso di co-progettazione",
    "Guida alla redazione dei verbali dei tavoli",
    "D.M. 72/2021 — Linee guida sul rapporto tra PA ed enti del Terzo settore",
]

# The proposals the Stati generali produced, each presented after its session to the session's
# table. table slug, session, title, text, area, status, answer, proposing entity (None: the
# demo's own entity), days after the event it was presented.
PROPOSALS = [
    ("inclusione", "Governance partecipata", "Sportello unico per l'orientamento al lavoro",
     "Un punto di accesso unico nei comuni più piccoli, in rete con i centri per l'impiego e gli "
     "enti del tavolo.", "poverta", "accepted",
     "Accolta: diventa un intervento del Piano di Zona, area inclusione.", None, 1),
    ("inclusione", "Governance partecipata", "Emporio solidale diffuso",
     "Tre punti di distribuzione di beni di prima necessità gestiti da volontari, con tessera a "
     "punti.", "poverta", "under_study",
     "In valutazione con i comuni per la disponibilità dei locali.", None, 2),
    ("famiglia", "Competenze del Terzo settore", "Centro estivo inclusivo",
     "Un centro estivo aperto ai minori con disabilità, con educatori formati e trasporto.",
     "famiglia-minori", "submitted", "", None, 3),
    ("non-autosufficienza", "Tecnologie per l'innovazione sociale",
     "Teleassistenza e compagnia telefonica per gli anziani soli",
     "Una rete di volontari che chiama ogni giorno le persone anziane sole, con un dispositivo di "
     "teleassistenza collegato al servizio sociale del comune.", "anziani", "under_study",
     "In valutazione con la co-progettazione per la non autosufficienza.",
     "Auser Valle del Metauro APS", 2),
    ("salute-mentale", "Sostenibilità dei servizi", "Gruppi di auto-mutuo aiuto per i familiari",
     "Gruppi mensili in ogni comune per i familiari di persone con disturbo psichico, facilitati "
     "da familiari esperti e in rete con il DSM.", "multiutenza", "accepted",
     "Accolta: diventa l'intervento SM-02 del Piano di Zona.",
     "Associazione Oltre il Muro ODV - familiari per la salute mentale", 1),
]  # fmt: skip

UPCOMING_EVENT = "Presentazione pubblica del Piano di Zona 2025-2027"


# Citizens' public proposals to the ATS 6 (participation.demo_citizens): title, text, area code,
# table slug (or None: to the ambito), days ago, then one of: ("answered", status, answer, days
# to answer) / ("discussed",) with supports and comments / ("hidden", reason).
CITIZEN = ("cittadino@example.org", "Anna", "Verdi")
CITIZEN_SUPPORTERS = [
    ("lucia.neri@example.org", "Lucia", "Neri"),
    ("franco.gallo@example.org", "Franco", "Gallo"),
]
CITIZEN_PROPOSALS = [
    (
        "Uno sportello per i caregiver nei comuni dell'entroterra",
        "Chi assiste un familiare non autosufficiente a Pergola o a San Lorenzo in Campo deve "
        "andare a Fano per ogni pratica. Propongo uno sportello mensile nei municipi "
        "dell'entroterra, con l'assistente sociale e un'associazione di volontariato.",
        "anziani",
        "non-autosufficienza",
        40,
        (
            "answered",
            "accepted",
            "La proposta è accolta: dal prossimo trimestre lo sportello per i caregiver sarà "
            "aperto un giorno al mese nei municipi di Pergola e San Lorenzo in Campo.",
            9,
        ),
    ),
    (
        "Trasporto sociale serale per i ragazzi con disabilità",
        "I centri di aggregazione chiudono alle 19 e il trasporto sociale si ferma prima: i "
        "ragazzi con disabilità non possono restare alle attività serali. Chiedo un servizio di "
        "trasporto serale almeno due giorni a settimana.",
        "disabili",
        None,
        18,
        ("discussed",),
    ),
    (
        "Segnalazione su una famiglia del mio condominio",
        "Testo con nomi, indirizzo e dati sanitari di una famiglia vicina.",
        "famiglia-minori",
        None,
        6,
        ("hidden", "Contiene dati personali e sanitari di terzi."),
    ),
]
CITIZEN_COMMENTS = [
    "Anche a Mondolfo il problema è lo stesso: sostengo la proposta.",
    "Si potrebbe partire con i pulmini delle associazioni, il venerdì e il sabato.",
]

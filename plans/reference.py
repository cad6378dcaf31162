"""Reference lists for the Piano di Zona (see DOMAIN.md): the standard sections (L. 328/2000
art. 19 c.1 a-g and the common structure of a plan). The standard funding sources of the
Mappafondo are the one list of funds, ambito.funds.FUNDS."""

# (kind, title, guidance) in order — created with every new plan.
STANDARD_SECTIONS = [
    (
        "analysis",
        "Analisi del contesto e dei bisogni",
        "Art. 19 c.1 lett. c: modalità di rilevazione dei dati. Il territorio, la popolazione, i bisogni "
        "emersi dai tavoli e dai procedimenti. La mappatura di bisogni e servizi è aggiunta in automatico.",
    ),
    (
        "text",
        "Obiettivi strategici e priorità",
        "Art. 19 c.1 lett. a: gli obiettivi strategici, le priorità di intervento e gli strumenti per realizzarli.",
    ),
    (
        "text",
        "Organizzazione dei servizi e risorse",
        "Art. 19 c.1 lett. b: le modalità organizzative dei servizi e le risorse finanziarie, strutturali e professionali.",
    ),
    (
        "text",
        "Integrazione dei servizi e accordo con l'ASL",
        "Art. 19 c.1 lett. d e g: le forme di integrazione tra servizi e prestazioni e le modalità di "
        "collaborazione con l'azienda sanitaria.",
    ),
    (
        "text",
        "Coordinamento con gli organi periferici dello Stato",
        "Art. 19 c.1 lett. e: il coordinamento con le amministrazioni statali (giustizia, scuola, lavoro).",
    ),
    (
        "text",
        "Collaborazione con il Terzo settore e la comunità",
        "Art. 19 c.1 lett. f: le modalità di collaborazione dei servizi con il Terzo settore e la comunità locale "
        "(art. 55 D.Lgs. 117/2017).",
    ),
    (
        "budget",
        "Bilancio integrato",
        "Le risorse per fonte e anno e la loro ripartizione: le tabelle sono generate dai dati.",
    ),
    ("interventions", "Schede intervento", "Le schede intervento sono aggiunte in automatico."),
    (
        "participation",
        "Percorso partecipativo",
        "I tavoli, i procedimenti e gli enti che hanno contribuito al piano sono elencati in automatico.",
    ),
    (
        "text",
        "Monitoraggio e valutazione",
        "Come, quando e con quali indicatori si verifica l'attuazione del piano.",
    ),
]

"""Reference lists for the Piano di Zona (see DOMAIN.md): the funding sources of the Mappafondo
and the standard sections (L. 328/2000 art. 19 c.1 a-g and the common structure of a plan)."""

# (code, name, kind, order) — loaded by a data migration; staff add their own per ambito.
FUNDING_SOURCES = [
    ("fnps", "FNPS - Fondo nazionale politiche sociali", "national", 10),
    ("poverta-servizi", "Fondo Povertà - quota servizi", "national", 20),
    ("poverta-estrema", "Fondo Povertà - povertà estrema", "national", 21),
    ("poverta-care-leavers", "Fondo Povertà - care leavers", "national", 22),
    ("fna", "FNA - Fondo non autosufficienze", "national", 30),
    ("pnrr-m5c2-111", "PNRR M5C2 1.1.1 - Sostegno alle capacità genitoriali", "european", 40),
    (
        "pnrr-m5c2-112",
        "PNRR M5C2 1.1.2 - Autonomia degli anziani non autosufficienti",
        "european",
        41,
    ),
    (
        "pnrr-m5c2-113",
        "PNRR M5C2 1.1.3 - Servizi sociali a domicilio per le dimissioni protette",
        "european",
        42,
    ),
    (
        "pnrr-m5c2-114",
        "PNRR M5C2 1.1.4 - Prevenzione del burn out degli operatori sociali",
        "european",
        43,
    ),
    (
        "pnrr-m5c2-12",
        "PNRR M5C2 1.2 - Percorsi di autonomia per persone con disabilità",
        "european",
        44,
    ),
    ("pnrr-m5c2-131", "PNRR M5C2 1.3.1 - Housing first", "european", 45),
    ("pnrr-m5c2-132", "PNRR M5C2 1.3.2 - Stazioni di posta", "european", 46),
    ("pn-inclusione", "PN Inclusione e lotta alla povertà 2021-2027", "european", 50),
    ("dopo-di-noi", "Fondo Dopo di noi (L. 112/2016)", "national", 60),
    ("fondo-famiglia", "Fondo per le politiche della famiglia", "national", 70),
    ("l285", "L. 285/1997 - Infanzia e adolescenza", "national", 80),
    ("regionale", "Fondo sociale regionale", "regional", 90),
    ("comuni", "Risorse proprie dei comuni", "local", 100),
    ("asl", "ASL - integrazione socio-sanitaria", "local", 110),
    ("terzo-settore", "Cofinanziamento del Terzo settore", "private", 120),
    ("fondazioni", "Fondazioni", "private", 130),
]

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

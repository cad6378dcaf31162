import sys; sys.path.insert(0, "/work/wt/procsplit/.split")
from split import split
split("processes/services.py", 4, 49, {
  "common": ("Helpers shared by the services of processes.", [(72, 88)]),
  "procedures": ("Start, edit, move and cancel a procedure; seat the admitted at its reserved table.", [(53, 70), (90, 349)]),
  "notices": ("The avviso: drafts, corrections (with the fields locked once applications arrive), publication.", [(350, 599)]),
  "announcements": ("Who hears of an avviso, and the e-mails of its publication and of reopened windows.", [(600, 751)]),
  "applications": ("Applications by the entities: start, edit, documents, submission with protocol number.", [(752, 1064)]),
  "admission": ("Withdrawal and receipt of an application, the decision on its admission, soccorso istruttorio.", [(1065, 1340)]),
  "accreditation": ("Accreditamento: the open list (art. 55 c. 4) and its changes.", [(1341, 1463)]),
  "exclusions": ("Art. 10-bis L. 241/1990: notice of the reasons against an application, observations, outcome.", [(1464, 1747)]),
  "commission": ("The evaluation commission, conflict declarations, scores and the ranking.", [(1748, 1949)]),
  "execution": ("Outcome documents, the project budget, the agreement and its reports.", [(1950, 2116)]),
}, "State changes of procedures and applications: one function per use case, keyword-only, atomic,\naudited. Views call these; nothing else writes processes' rows.", extra_init=("_seat_admitted",))

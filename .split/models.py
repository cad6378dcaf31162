import sys; sys.path.insert(0, "/work/wt/procsplit/.split")
from split import split
split("processes/models.py", 3, 21, {
  "common": ("Shared pieces of the procedure models: where uploads go and which files they accept.", [(23, 31)]),
  "states": ("The states of applications (the procedure states are in processes.workflow).", [(412, 419)]),
  "procedures": ("The procedure (art. 55-56 CTS), its public timeline of steps, and the protocol counter.", [(33, 290), (395, 410)]),
  "notices": ("The avviso pubblico in its versions, its evaluation criteria, and the reopenings of its window.", [(291, 393)]),
  "applications": ("Applications (domande) with their self-declarations, budget, documents, soccorso istruttorio and art. 10-bis notices.", [(421, 719)]),
  "evaluation": ("The open list of an accreditamento, the evaluation commission and its scores.", [(721, 860)]),
  "execution": ("The outcome of a procedure: its documents, the project budget, the agreement and its reports.", [(862, 1066)]),
}, "Art. 55-56 CTS procedures: co-programmazione, co-progettazione, accreditamento, convenzioni.", extra_init=("_upload_to",))

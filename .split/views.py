import sys; sys.path.insert(0, "/work/wt/procsplit/.split")
from split import split
split("processes/views.py", 3, 83, {
  "common": ("Helpers shared by the views of processes: form pages, errors, files, the user's application.", [(125, 180), (750, 771), (934, 949)]),
  "procedures": ("The list of procedures, a procedure's page, its history and the export of its applications.", [(85, 124), (181, 440)]),
  "editing": ("Start and edit a procedure, move it, cancel it, reopen its window.", [(441, 588)]),
  "notices": ("The avviso: draft, page, publication.", [(589, 729)]),
  "applications": ("Applications: start, page (edit, submit), withdrawal, documents, decision, soccorso istruttorio.", [(730, 749), (772, 933), (950, 1058)]),
  "exclusions": ("Art. 10-bis notices and the accreditamento's open list.", [(1059, 1161)]),
  "commission": ("The evaluation commission: members, declarations, scores.", [(1162, 1323)]),
  "execution": ("Outcome documents, the project budget, the agreement and its reports.", [(1324, 1528)]),
}, "Views of the procedures: thin, they parse input, check permissions, call a service or a\nselector, render. One module per area; urls.py reads them from here.")

import sys; sys.path.insert(0, "/work/wt/procsplit/.split")
from split import split
split("processes/forms.py", 3, 39, {
  "procedures": ("Forms of a procedure and its avviso: data, criteria, moves, cancellation, reopening.", [(40, 250)]),
  "applications": ("Forms of applications: the domanda and its budget, documents, decisions, 10-bis, soccorso istruttorio, accreditation changes.", [(252, 454)]),
  "execution": ("Forms of the commission and scores, and of outcome documents, project budget, agreement and reports.", [(456, 641)]),
}, "Forms of the procedures: Bootstrap Italia markup through core.forms, errors next to fields.")

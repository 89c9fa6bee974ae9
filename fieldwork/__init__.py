"""Fieldwork: from one-stop-shop and household lists to official and reserve samples, forms and delivery lists.

The stages, each a module with one job and typed values between them:

``survey``  the survey as data (``survey.yaml``, validated, published as JSON Schema);
``frame_read`` → ``frame_check`` → ``frame_io``  lists (xlsx/csv) into a frame, every row accepted or
rejected with its reason; ``addresses``  residence addresses into unit codes of either scheme;
``draw``  the verifiable stratified draw (official and reserve lists); ``dispatch``  forms,
delivery lists and labels for the post.

Respondent identities (names, addresses, phones) live only in the frame, list, identity and delivery
files this package writes (mode 0600), never in the workspace database or anything that travels with
the answers.
"""

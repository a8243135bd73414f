"""What waits for whom: the read model behind *Att göra* on the start page and *Till dig* at
the top of a case. It reads the areas (applications, review, follow-up) and changes nothing.
"""

"""Named SQL of the bilan, composed from constant fragments only (hence the S608 waivers).
Every query takes the last year of reception as its first bound parameter (`annee_accueil
<= ?`): a bilan "at year Y" counts the projects received up to Y."""

# Projects with their commune's territories (EPCI, métropole or not, density).
_PROJETS = """
WITH p AS (
    SELECT p.*, c.nom AS commune_nom, c.epci, c.epci_nom, c.metropole, c.metropole_nom,
           c.densite, c.densite_nom, p.finance = 'oui' AS est_finance
    FROM projets p JOIN communes c USING (commune)
    WHERE p.annee_accueil <= ?
)
"""

SYNTHESE = _PROJETS + """
SELECT count(*)::INTEGER AS projets_accueillis,
       count(*) FILTER (WHERE est_finance)::INTEGER AS projets_finances,
       coalesce(sum(etp_projetes) FILTER (WHERE est_finance), 0) AS etp_projetes,
       count(*) FILTER (WHERE est_finance AND tiers_lieu = 'oui')::INTEGER AS tiers_lieux_finances,
       count(*) FILTER (WHERE est_finance AND statut = 'dissoute')::INTEGER AS structures_dissoutes,
       coalesce(sum(montant_eur) FILTER (WHERE est_finance), 0) AS montant_total_eur
FROM p
"""

ACCOMPAGNEMENTS = """
SELECT count(*)::INTEGER AS collectivites_accompagnees,
       count(*) FILTER (WHERE territoire LIKE 'epci:%')::INTEGER AS epci_accompagnes,
       list(nom ORDER BY nom) FILTER (WHERE territoire LIKE 'epci:%') AS noms_epci
FROM accompagnements
WHERE annee <= ?
"""

_AGREGATS = """
       count(*)::INTEGER AS projets_accueillis,
       count(*) FILTER (WHERE est_finance)::INTEGER AS projets_finances,
       coalesce(sum(montant_eur) FILTER (WHERE est_finance), 0)::BIGINT AS montant_eur,
       coalesce(sum(etp_projetes) FILTER (WHERE est_finance), 0) AS etp_projetes,
       count(*) FILTER (WHERE est_finance AND tiers_lieu = 'oui')::INTEGER AS tiers_lieux
"""

PAR_ANNEE = _PROJETS + f"SELECT annee_accueil AS annee, {_AGREGATS} FROM p GROUP BY 1 ORDER BY 1"  # noqa: S608
PAR_THEME = _PROJETS + (f"SELECT coalesce(nullif(theme, ''), 'Non renseigné') AS theme, {_AGREGATS} "  # noqa: S608
                        "FROM p GROUP BY 1 ORDER BY projets_accueillis DESC, theme")
PAR_DISPOSITIF = _PROJETS + (
    f"SELECT coalesce(nullif(dispositif, ''), 'Non renseigné') AS dispositif, {_AGREGATS} "  # noqa: S608
    "FROM p WHERE est_finance GROUP BY 1 ORDER BY montant_eur DESC")
PAR_ZONE = _PROJETS + (f"SELECT metropole_nom AS zone, {_AGREGATS} FROM p GROUP BY 1 "  # noqa: S608
                       "ORDER BY zone DESC")
PAR_DENSITE = _PROJETS + (f"SELECT densite_nom AS densite, {_AGREGATS} FROM p GROUP BY 1 "  # noqa: S608
                          "ORDER BY densite")

# Every EPCI (with its outline), zero where no project: the map shows the blanks too.
_PAR_EPCI_AGREGATS = f"SELECT 'epci:' || epci AS territoire, {_AGREGATS} FROM p GROUP BY 1"  # noqa: S608
PAR_EPCI = _PROJETS + ", a AS (" + _PAR_EPCI_AGREGATS + ")" + """
SELECT t.territoire, t.nom, g.geojson,
       coalesce(a.projets_accueillis, 0) AS projets_accueillis,
       coalesce(a.projets_finances, 0) AS projets_finances,
       coalesce(a.montant_eur, 0) AS montant_eur,
       coalesce(a.etp_projetes, 0) AS etp_projetes
FROM territoires t JOIN geometries g USING (territoire) LEFT JOIN a USING (territoire)
WHERE t.niveau = 'epci'
ORDER BY t.nom
"""

LISTE = _PROJETS + """
SELECT id_projet, nom_projet, porteur, forme_juridique, commune, commune_nom, epci_nom,
       metropole_nom AS zone, theme, annee_accueil, finance, dispositif, montant_eur,
       etp_projetes, tiers_lieu, statut, fictif
FROM p ORDER BY id_projet
"""

ANNEES = "SELECT min(annee_accueil), max(annee_accueil) FROM projets"
# The published deliverables of the 1st plan (no year parameter).
LIVRABLES = "SELECT annee, titre, partenaire FROM ref_plan1_livrables ORDER BY annee, titre"

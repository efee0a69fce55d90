"""The offline generator's sentence templates, per report language (``en``, ``he``).

Every sentence of an offline report is one of these, filled with text copied from the inputs (or a year
count computed from their dates): a new language is a new entry with the same keys.
"""

from __future__ import annotations

PHRASES = {
    "en": {
        "summary": (
            "{headline}This report maps the candidate's CV to the {role} role at {company}, requirement "
            "by requirement. The strongest match is “{best_requirement}”, backed by: {best_evidence}."
        ),
        "summary_gaps": " Still to show: {gaps}.",
        "no_evidence": "No direct evidence in the CV yet; see the gap strategies.",
        "years": "{years} years from the CV's dates in matching roles: {roles}.",
        "years_none": "The CV's dates show no role matching this requirement.",
        "impact": "Brings proven practice to “{responsibility}” from day one.",
        "impact_default": "Directly supports what {company} asks of the {role}.",
        "differentiator": "At {company} as {title}: {highlight}",
        "certification": "Holds the certification: {certification}",
        "gap_closest": "Closest evidence in the CV: {evidence} — present it as transferable experience.",
        "gap_answer": "In the candidate's own words: “{answer}”.",
        "gap_none": "The CV has nothing close yet; say so plainly and describe how you would learn it.",
        "gap_years": "The CV's dates show {years} years against the {required} asked; stress the depth "
        "of those years.",
        "culture_values": "{company} states these values: {values}. The CV's record — {evidence} — shows "
        "them in practice.",
        "culture_default": "The CV shows a track record relevant to {company}'s {role} role: {evidence}.",
        "talking_requirement": "On “{requirement}”: {evidence}",
        "talking_gap": "When asked “{question}”: {answer}",
        "talking_role": "Why {company}: the {role} role matches the experience as {title} at {employer}.",
        "talking_prepare": "Prepare a concrete example for “{requirement}”.",
        # Generic, number-free questions: the last resort that keeps every report at five points.
        "talking_generic": [
            "Ask how success in the {role} role is measured at {company}.",
            "Ask which part of the {role} role matters most to the team right now.",
            "Explain in one sentence why {company} is the right next step for you.",
        ],
    },
    "he": {
        "summary": (
            "{headline}דוח זה ממפה את קורות החיים של המועמד/ת לתפקיד {role} ב-{company}, דרישה אחר "
            "דרישה. ההתאמה החזקה ביותר: “{best_requirement}”, בתמיכת: {best_evidence}."
        ),
        "summary_gaps": " להכנה: {gaps}.",
        "no_evidence": "אין עדיין ראיה ישירה בקורות החיים; ראו אסטרטגיות לפערים.",
        "years": "{years} שנים לפי התאריכים בקורות החיים, בתפקידים תואמים: {roles}.",
        "years_none": "התאריכים בקורות החיים אינם מראים תפקיד שתואם דרישה זו.",
        "impact": "מביא ניסיון מוכח ל“{responsibility}” מהיום הראשון.",
        "impact_default": "תומך ישירות במה ש-{company} מבקשת בתפקיד {role}.",
        "differentiator": "ב-{company} כ-{title}: {highlight}",
        "certification": "בעל/ת ההסמכה: {certification}",
        "gap_closest": "הראיה הקרובה ביותר בקורות החיים: {evidence} — להציג אותה כניסיון מקביל.",
        "gap_answer": "בלשון המועמד/ת: “{answer}”.",
        "gap_none": "אין עדיין דבר קרוב בקורות החיים; לומר זאת בגלוי ולתאר איך תלמד/י את הנושא.",
        "gap_years": "התאריכים בקורות החיים מראים {years} שנים מול {required} הנדרשות; להדגיש את עומק "
        "הניסיון.",
        "culture_values": "{company} מציינת את הערכים: {values}. הניסיון — {evidence} — מראה אותם בפועל.",
        "culture_default": "קורות החיים מראים ניסיון רלוונטי לתפקיד {role} ב-{company}: {evidence}.",
        "talking_requirement": "לגבי “{requirement}”: {evidence}",
        "talking_gap": "כשנשאל/ת “{question}”: {answer}",
        "talking_role": "למה {company}: תפקיד {role} תואם את הניסיון כ-{title} ב-{employer}.",
        "talking_prepare": "להכין דוגמה מוחשית ל“{requirement}”.",
        "talking_generic": [
            "לשאול איך נמדדת הצלחה בתפקיד {role} ב-{company}.",
            "לשאול איזה חלק בתפקיד {role} הכי חשוב לצוות כרגע.",
            "להסביר במשפט אחד למה {company} היא הצעד הבא הנכון עבורך.",
        ],
    },
}

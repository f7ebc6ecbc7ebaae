"""The glossary of docs/translating.md as data: each language's word for each term, and the variants it replaces.

A translation that brings a second word for a term ("Session" beside
"Sitzung", "usted" in a catalog that says "tú") is drift: the words a user
reads on one page would differ from the next page's, or from the mail. The
variants listed here are the ones a translator (or a tool) most often reaches
for; ``tests/language/test_glossary.py`` fails when one appears in a catalog.
"""
import json
import re
from pathlib import Path

from tests.language.catalogs import catalog

ROOT = Path(__file__).resolve().parent.parent.parent
APP_LOCALES = ROOT / "frontend" / "static" / "app" / "locales"
# The app's code for a language (pt-br) and its server catalog's folder (pt_BR).
FOLDERS = {"de": "de", "fr": "fr", "es": "es", "pt-br": "pt_BR", "ar": "ar"}

# term -> (the word to use, the variants that must not appear). Patterns are case-sensitive regular expressions;
# (?i) where case does not matter.
GLOSSARY = {
    "de": {
        "session": ("Sitzung", [r"\bSessions?\b"]),
        "device": ("Gerät", [r"Endgerät", r"\bApparat"]),
        "passkey": ("Passkey", [r"Zugangsschlüssel", r"Hauptschlüssel", r"Passschlüssel"]),
        "two-step sign-in": ("zweistufige Anmeldung", [
            r"Anmeldung in zwei Schritten", r"(?i)zwei-?faktor", r"\b2FA\b", r"Zwei-Schritt",
        ]),
        "second step": ("zweiter Schritt", [r"(?i)zweite Stufe"]),
        "recovery code": ("Wiederherstellungscode", [r"(?i)notfallcode", r"(?i)backup-?code", r"(?i)sicherungscode"]),
        "authenticator app": ("Authenticator-App", [r"(?i)authentifizierungs-?app", r"(?i)authentifikator"]),
        "sign in / sign out": ("anmelden / abmelden", [
            r"(?i)einlogg", r"(?i)auslogg", r"(?i)eingeloggt", r"(?i)ausgeloggt",
        ]),
        "account": ("Konto", [r"\bAccounts?\b", r"Benutzerkonto"]),
        "sign-in provider": ("Anmeldeanbieter (kurz: Anbieter)", [r"\bProvider\b", r"Identitätsanbieter"]),
        "connected apps": ("verbundene Apps", [r"verbundene Anwendung", r"verknüpfte App"]),
        "token": ("Token (persönliches Zugriffstoken)", [r"Zugriffsschlüssel", r"Zugangstoken"]),
        "tone: Sie": ("Sie", [
            r"\b(?:du|dich|dir|dein|deine|deinen|deinem|deiner)\b", r"\b(?:Du|Dich|Dir|Dein|Deine)\b",
        ]),
    },
    "fr": {
        "session": ("session", []),
        "device": ("appareil", [r"(?i)périphérique", r"(?i)\bdispositifs?\b"]),
        "passkey": ("clé d’accès", [r"(?i)\bpasskeys?\b", r"(?i)clés? de passe", r"clé d'accès"]),
        "two-step sign-in": ("connexion en deux étapes", [
            r"(?i)double authentification", r"(?i)authentification à deux facteurs", r"(?i)vérification en deux étapes",
            r"\bA2F\b", r"\b2FA\b",
        ]),
        "second step": ("deuxième étape", [r"(?i)seconde étape"]),
        "recovery code": ("code de récupération", [
            r"(?i)codes? de secours", r"(?i)codes? de sauvegarde", r"(?i)codes? de restauration",
        ]),
        "authenticator app": ("application d’authentification", [r"(?i)application authenticator", r"(?i)appli d"]),
        "sign in / sign out": ("se connecter / se déconnecter", [
            r"(?i)s’identifier", r"(?i)ouvrir une session", r"(?i)\blog(?:in|out)\b",
        ]),
        "account": ("compte", []),
        "sign-in provider": ("fournisseur de connexion", [r"(?i)prestataire", r"(?i)fournisseur d’identité"]),
        "connected apps": ("applications connectées", [r"(?i)applications? reliées?", r"(?i)\bapps? connectées?"]),
        "token": ("jeton", [r"(?i)\btokens?\b"]),
        "tone: vous": ("vous", [r"\b(?:tu|toi|ton|tes)\b", r"\bTu\b"]),
        # French sets : ; ? ! apart with a space that does not break, so no line starts with one on a phone.
        "typography: espace insécable": ("espace insécable avant : ; ? !", [r"(?<=\S) [:;?!](?=\s|$|»|\))"]),
    },
    "es": {
        "session": ("sesión", []),
        "device": ("dispositivo", [r"(?i)\baparatos?\b"]),
        "passkey": ("llave de acceso", [r"(?i)\bpasskeys?\b", r"(?i)claves? de acceso"]),
        "two-step sign-in": ("inicio de sesión en dos pasos", [
            r"(?i)verificación en dos pasos", r"(?i)autenticación de dos factores", r"(?i)autenticación en dos pasos",
            r"\b2FA\b",
        ]),
        "second step": ("segundo paso", []),
        "recovery code": ("código de recuperación", [
            r"(?i)códigos? de respaldo", r"(?i)códigos? de emergencia", r"(?i)códigos? de seguridad",
        ]),
        "authenticator app": ("aplicación de autenticación", [
            r"(?i)aplicación autenticadora", r"(?i)app autenticadora",
        ]),
        "sign in / sign out": ("iniciar sesión / cerrar sesión", [r"(?i)\blogue", r"(?i)\bidentificarse\b"]),
        "account": ("cuenta", []),
        "sign-in provider": ("proveedor (de inicio de sesión)", [r"(?i)\bprestador"]),
        "connected apps": ("aplicaciones conectadas", [r"(?i)\bapps? conectadas?"]),
        "token": ("token", [r"(?i)\bfichas?\b", r"(?i)\btestigos?\b"]),
        "tone: tú": ("tú", [
            r"(?i)\busted(?:es)?\b", r"(?i)\bintroduzca\b", r"(?i)\bpulse\b", r"(?i)\bhaga clic\b", r"(?i)\bvosotros\b",
        ]),
    },
    "pt-br": {
        "session": ("sessão", []),
        "device": ("dispositivo", [r"(?i)\baparelhos?\b"]),
        "passkey": ("chave de acesso", [r"(?i)\bpasskeys?\b", r"(?i)chaves? de senha"]),
        "two-step sign-in": ("login em duas etapas", [
            r"(?i)verificação em duas etapas", r"(?i)autenticação de dois fatores", r"(?i)autenticação em duas etapas",
            r"\b2FA\b",
        ]),
        "second step": ("segunda etapa", [r"(?i)segundo passo"]),
        "recovery code": ("código de recuperação", [r"(?i)códigos? de backup", r"(?i)códigos? de emergência"]),
        "authenticator app": ("aplicativo autenticador", [
            r"(?i)aplicativo de autenticação", r"(?i)\baplicaç(?:ão|ões)\b",
        ]),
        "sign in / sign out": ("entrar / sair (conectado / desconectado)", [
            r"(?i)\blogar\b", r"(?i)\bdeslogar\b", r"(?i)iniciar sessão", r"(?i)terminar sessão",
        ]),
        "account": ("conta", [r"(?i)\butilizador"]),
        "sign-in provider": ("provedor", [r"(?i)\bfornecedor"]),
        "connected apps": ("aplicativos conectados", [r"(?i)\bapps? conectados?"]),
        "token": ("token", []),
        "tone: você": ("você", [r"\b(?:tu|teu|tua|teus|tuas)\b", r"(?i)\bo senhor\b", r"(?i)\ba senhora\b"]),
    },
    "ar": {
        "session": ("جلسة", []),
        "device": ("جهاز", []),
        "passkey": ("مفتاح المرور", [r"(?i)passkey", r"باسكي", r"مفتاح الدخول", r"مفاتيح الدخول"]),
        "two-step sign-in": ("تسجيل الدخول بخطوتين", [
            r"المصادقة الثنائية", r"التحقق بخطوتين", r"التحقق الثنائي", r"المصادقة متعددة",
        ]),
        "second step": ("خطوة ثانية", []),
        "recovery code": ("رمز الاسترداد", [
            r"(?:رمز|رموز) الاستعادة", r"(?:رمز|رموز) الاسترجاع", r"(?:رمز|رموز) النسخ الاحتياطي",
        ]),
        "authenticator app": ("تطبيق المصادقة", [r"تطبيق التحقق", r"تطبيق مصادق\b"]),
        "sign in / sign out": ("تسجيل الدخول / تسجيل الخروج", [r"الولوج", r"\bلوج[اإ]ن\b"]),
        "account": ("حساب", []),
        "sign-in provider": ("مزوّد تسجيل الدخول", [r"مزود", r"موفر", r"موفّر"]),
        "connected apps": ("التطبيقات المتصلة", [r"التطبيقات المرتبطة"]),
        "token": ("الرمز المميز (رمز الوصول الشخصي)", [r"توكن"]),
        "tone: Modern Standard Arabic": ("الفصحى", [
            r"\bمش\b", r"دلوقتي", r"عايز", r"\bشو\b", r"\bبدك\b", r"\bهيك\b", r"\bعشان\b", r"\bكده\b", r"\bليش\b",
        ]),
    },
}


def _strings(value):
    if isinstance(value, dict):
        for form in value.values():
            yield from _strings(form)
    else:
        yield value


def translations(language: str) -> list[tuple[str, str]]:
    """(where, text) for every translation of ``language``: the app's catalog, then the server's (mail included)."""
    app = json.loads((APP_LOCALES / f"{language}.json").read_text(encoding="utf-8"))
    found = [(f"app: {key}", text) for key, value in app.items() for text in _strings(value)]
    found += [
        (f"server: {entry.msgid}", text)
        for entry in catalog(FOLDERS[language]) if not entry.obsolete for text in entry.translations
    ]
    return found


def drift(language: str, texts) -> list[str]:
    """``term: 'variant' in <where>`` for each avoided variant found in ``texts`` ((where, text) pairs)."""
    found = []
    for term, (_word, variants) in GLOSSARY[language].items():
        for pattern in variants:
            for where, text in texts:
                match = re.search(pattern, text)
                if match:
                    found.append(f"{term}: {match.group(0)!r} in {where[:80]!r}")
    return found

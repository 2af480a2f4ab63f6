"""The simulated org's cast, derived from the seed: users, apps, groups, zones, places, devices.

Immutable catalog data; the mutable org state (statuses, memberships, sessions) lives in state.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from okta_ir.simulator.rand import hash64, okta_id, pick

__all__ = ["EMAIL_DOMAIN", "Agent", "App", "Person", "Place", "World", "build_world"]

EMAIL_DOMAIN = "example.com"

_FIRST = (
    "Alex",
    "Blake",
    "Casey",
    "Dana",
    "Eli",
    "Farah",
    "Gina",
    "Hugo",
    "Ines",
    "Jon",
    "Kara",
    "Liam",
    "Maya",
    "Noah",
    "Olga",
    "Pavel",
    "Quinn",
    "Rosa",
    "Sam",
    "Tara",
    "Umar",
    "Vera",
    "Wes",
    "Xena",
    "Yuki",
    "Zane",
    "Amir",
    "Bea",
    "Carlos",
    "Dmitri",
    "Emma",
    "Femi",
    "Grace",
    "Hana",
    "Ivan",
    "Julia",
    "Kofi",
    "Lena",
)
_LAST = (
    "Rivera",
    "Chen",
    "Okafor",
    "Schmidt",
    "Novak",
    "Tanaka",
    "Garcia",
    "Smith",
    "Kowalski",
    "Haddad",
    "Larsen",
    "Moreau",
    "Singh",
    "Brown",
    "Costa",
    "Ivanova",
    "Murphy",
    "Nakamura",
    "Olsen",
    "Patel",
    "Quispe",
    "Rossi",
    "Silva",
    "Torres",
    "Usman",
    "Varga",
    "Weber",
    "Xu",
    "Young",
    "Zhou",
)
_DEPARTMENTS = ("Engineering", "Sales", "Finance", "HR", "Marketing", "Support", "Legal", "Operations")


@dataclass(frozen=True)
class Place:
    """A location the org's traffic comes from, with its network identity."""

    city: str
    state: str
    country: str
    postal_code: str
    lat: float
    lon: float
    ip_prefix: str
    as_number: int
    as_org: str
    isp: str
    domain: str


_OFFICES = (
    Place(
        "San Francisco",
        "California",
        "United States",
        "94105",
        37.7897,
        -122.3942,
        "198.51.100.",
        7922,
        "comcast",
        "comcast cable communications llc",
        "comcast.net",
    ),
    Place(
        "New York",
        "New York",
        "United States",
        "10013",
        40.7209,
        -74.0047,
        "203.0.113.",
        701,
        "verizon",
        "verizon business",
        "verizon.net",
    ),
    Place(
        "Austin",
        "Texas",
        "United States",
        "78701",
        30.2711,
        -97.7437,
        "192.0.2.",
        7018,
        "at&t",
        "at&t services inc.",
        "att.net",
    ),
    Place(
        "Chicago",
        "Illinois",
        "United States",
        "60601",
        41.8857,
        -87.6181,
        "198.18.10.",
        7922,
        "comcast",
        "comcast cable communications llc",
        "comcast.net",
    ),
    Place(
        "Toronto",
        "Ontario",
        "Canada",
        "M5H",
        43.6511,
        -79.3837,
        "198.18.20.",
        577,
        "bell canada",
        "bell canada",
        "bell.ca",
    ),
    Place(
        "London",
        "England",
        "United Kingdom",
        "EC2V",
        51.5155,
        -0.0922,
        "198.18.30.",
        2856,
        "british telecommunications plc",
        "bt",
        "bt.com",
    ),
)

_ATTACK_PLACES = (
    Place(
        "Amsterdam",
        "North Holland",
        "Netherlands",
        "1012",
        52.3740,
        4.8897,
        "185.220.101.",
        208294,
        "cia triad security llc",
        "cia triad security llc",
        "tor-exit.example.net",
    ),
    Place(
        "Bucharest",
        "Bucuresti",
        "Romania",
        "010011",
        44.4268,
        26.1025,
        "45.132.227.",
        9009,
        "m247 europe srl",
        "m247 ltd",
        "m247.com",
    ),
)


@dataclass(frozen=True)
class Agent:
    """A client user agent as Okta reports it."""

    raw: str
    os: str
    browser: str
    device: str


_AGENTS = (
    Agent(
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/130.0.0.0 Safari/537.36",
        "Mac OS X",
        "CHROME",
        "Computer",
    ),
    Agent(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0",
        "Windows 10",
        "EDGE_CHROMIUM",
        "Computer",
    ),
    Agent(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0",
        "Windows 10",
        "FIREFOX",
        "Computer",
    ),
    Agent(
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.6 Safari/605.1.15",
        "Mac OS X",
        "SAFARI",
        "Computer",
    ),
    Agent(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.6 Mobile/15E148 Safari/604.1",
        "iOS",
        "MOBILE_SAFARI",
        "Mobile",
    ),
)

ATTACKER_AGENT = Agent("python-requests/2.31.0", "Unknown", "UNKNOWN", "Unknown")
ENUM_AGENT = Agent(
    "Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0", "Linux", "FIREFOX", "Computer"
)

_APPS = (
    ("Salesforce", "salesforce", "SAML_2_0"),
    ("Slack", "slack", "SAML_2_0"),
    ("Google Workspace", "google", "SAML_2_0"),
    ("Zoom", "zoomus", "SAML_2_0"),
    ("GitHub Enterprise Cloud", "githubcloud", "SAML_2_0"),
    ("Jira Software Cloud", "jira_onprem", "SAML_2_0"),
    ("Confluence Cloud", "confluence", "SAML_2_0"),
    ("Workday", "workday", "SAML_2_0"),
    ("AWS IAM Identity Center", "amazon_aws_sso", "SAML_2_0"),
    ("Box", "boxnet", "SAML_2_0"),
    ("DocuSign", "docusign", "SAML_2_0"),
    ("ServiceNow", "servicenow_app2", "SAML_2_0"),
    ("Microsoft Office 365", "office365", "WS_FEDERATION"),
    ("Zendesk", "zendesk", "SAML_2_0"),
    ("Tableau Cloud", "tableauonline", "SAML_2_0"),
    ("Snowflake", "snowflake", "SAML_2_0"),
    ("1Password Business", "1password", "OPENID_CONNECT"),
    ("Figma", "figma", "SAML_2_0"),
)

# Group name, description, whether it is an admin/privileged group.
_GROUPS = (
    ("Everyone", "All users in your organization", False),
    ("Engineering", "Engineering department", False),
    ("Sales", "Sales department", False),
    ("Finance", "Finance department", False),
    ("IT Helpdesk", "Help desk administrators", False),
    ("Contractors", "External contractors", False),
    ("Okta Administrators", "Holders of Okta admin roles", True),
    ("AWS Admins", "AWS IAM Identity Center administrators", True),
    ("Quarantine", "Contained accounts: deny all app access (okta-ir containment)", False),
)


@dataclass(frozen=True)
class App:
    """An app instance in the org."""

    id: str
    label: str
    name: str
    sign_on_mode: str


@dataclass(frozen=True)
class Person:
    """A user of the org and the habits the background traffic gives them."""

    index: int
    id: str
    login: str
    first: str
    last: str
    department: str
    place: Place
    ip: str
    agent: Agent
    admin_role: str  # "" for regular users
    apps: tuple[int, ...]

    @property
    def display_name(self) -> str:
        return f"{self.first} {self.last}"


@dataclass(frozen=True)
class World:
    """The whole cast of the org for one seed."""

    seed: int
    people: tuple[Person, ...]
    apps: tuple[App, ...]
    admin_console: App
    dashboard: App
    groups: tuple[tuple[str, str, str, bool], ...]  # (id, name, description, privileged)
    offices: tuple[Place, ...]
    attack_places: tuple[Place, ...]
    automation_login: str
    automation_id: str
    protected_admin: Person
    helpdesk: tuple[Person, ...]
    by_login: dict[str, Person]
    by_id: dict[str, Person]
    regulars: tuple[Person, ...]

    def group_id(self, name: str) -> str:
        """Id of the group with that name."""
        for gid, gname, _, _ in self.groups:
            if gname == name:
                return gid
        raise KeyError(name)


def build_world(seed: int, user_count: int) -> World:
    """Derive the org's cast from the seed (pure function)."""
    apps = tuple(
        App(okta_id("0oa", seed, 20, i), label, name, mode) for i, (label, name, mode) in enumerate(_APPS)
    )
    admin_console = App(okta_id("0oa", seed, 21, 0), "Okta Admin Console", "saasure", "OPENID_CONNECT")
    dashboard = App(okta_id("0oa", seed, 21, 1), "Okta Dashboard", "okta_enduser", "OPENID_CONNECT")
    people: list[Person] = []
    seen = set()
    for i in range(user_count):
        first = pick(_FIRST, seed, 1, i)
        last = pick(_LAST, seed, 2, i)
        base = f"{first}.{last}".lower()
        login = f"{base}@{EMAIL_DOMAIN}"
        n = 2
        while login in seen:
            login = f"{base}{n}@{EMAIL_DOMAIN}"
            n += 1
        seen.add(login)
        place = pick(_OFFICES, seed, 3, i)
        host = 10 + hash64(seed, 4, i) % 240
        agent = pick(_AGENTS, seed, 5, i)
        role = ""
        if i == 0:
            role = "Super administrator"
        elif i in (1, 2, 3):
            role = "Help Desk administrator"
        napps = 3 + hash64(seed, 6, i) % 6
        owned = tuple(sorted({hash64(seed, 7, i * 16 + k) % len(apps) for k in range(napps)}))
        people.append(
            Person(
                index=i,
                id=okta_id("00u", seed, 8, i),
                login=login,
                first=first,
                last=last,
                department=pick(_DEPARTMENTS, seed, 9, i),
                place=place,
                ip=f"{place.ip_prefix}{host}",
                agent=agent,
                admin_role=role,
                apps=owned,
            )
        )
    groups = tuple(
        (okta_id("00g", seed, 22, i), name, desc, priv) for i, (name, desc, priv) in enumerate(_GROUPS)
    )
    frozen = tuple(people)
    return World(
        seed=seed,
        people=frozen,
        apps=apps,
        admin_console=admin_console,
        dashboard=dashboard,
        groups=groups,
        offices=_OFFICES,
        attack_places=_ATTACK_PLACES,
        automation_login=f"okta-ir.automation@{EMAIL_DOMAIN}",
        automation_id=okta_id("00u", seed, 23, 0),
        protected_admin=frozen[0],
        helpdesk=frozen[1:4],
        by_login={p.login: p for p in frozen},
        by_id={p.id: p for p in frozen},
        regulars=frozen[4:],
    )

/**
 * US states (with DC, the inhabited territories and the military "states") and Canadian
 * provinces and territories (English and French names), for `normalizeState`.
 * Codes are USPS / Canada Post two-letter codes; the two lists share no code and no name.
 *
 * Line format: `aa Name|Other name` (keys compared after removing accents, case and
 * everything but letters a-z).
 *
 * @example
 * ```ts
 * findRegion("California", "us"); // "ca"
 * ```
 */

const US = `
al Alabama
ak Alaska
az Arizona
ar Arkansas
ca California
co Colorado
ct Connecticut
de Delaware
dc District of Columbia|Washington DC|Washington D.C.
fl Florida
ga Georgia
hi Hawaii
id Idaho
il Illinois
in Indiana
ia Iowa
ks Kansas
ky Kentucky
la Louisiana
me Maine
md Maryland
ma Massachusetts
mi Michigan
mn Minnesota
ms Mississippi
mo Missouri
mt Montana
ne Nebraska
nv Nevada
nh New Hampshire
nj New Jersey
nm New Mexico
ny New York
nc North Carolina
nd North Dakota
oh Ohio
ok Oklahoma
or Oregon
pa Pennsylvania
ri Rhode Island
sc South Carolina
sd South Dakota
tn Tennessee
tx Texas
ut Utah
vt Vermont
va Virginia
wa Washington
wv West Virginia
wi Wisconsin
wy Wyoming
as American Samoa
gu Guam
mp Northern Mariana Islands
pr Puerto Rico
vi U.S. Virgin Islands|US Virgin Islands|Virgin Islands
um United States Minor Outlying Islands
aa Armed Forces Americas
ae Armed Forces Europe
ap Armed Forces Pacific
`;

const CA = `
ab Alberta
bc British Columbia|Colombie-Britannique
mb Manitoba
nb New Brunswick|Nouveau-Brunswick
nl Newfoundland and Labrador|Newfoundland|Terre-Neuve-et-Labrador
ns Nova Scotia|Nouvelle-Écosse
nt Northwest Territories|Territoires du Nord-Ouest
nu Nunavut
on Ontario
pe Prince Edward Island|Île-du-Prince-Édouard
qc Quebec|Québec
sk Saskatchewan
yt Yukon|Yukon Territory
`;

/** Lookup key: accents removed, lowercase, letters a-z only ("Québec" -> "quebec"). */
function regionKey(text: string): string {
  return text
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^a-z]/g, "");
}

interface RegionTable {
  codes: Set<string>;
  byName: Map<string, string>;
}

function parse(table: string): RegionTable {
  const codes = new Set<string>();
  const byName = new Map<string, string>();
  for (const line of table.split("\n")) {
    if (line.length < 4) continue;
    const code = line.slice(0, 2);
    codes.add(code);
    for (const name of line.slice(3).split("|")) byName.set(regionKey(name), code);
  }
  return { codes, byName };
}

const TABLES: Record<string, RegionTable> = { us: parse(US), ca: parse(CA) };

/**
 * The lowercase two-letter code of a US state or Canadian province from its code or name,
 * or `undefined` when the text is neither. `country` (lowercase alpha-2) limits the search to
 * that country's list; without it both lists are searched.
 *
 * @example
 * ```ts
 * findRegion("California");      // "ca"
 * findRegion("CA", "us");        // "ca"
 * findRegion("Québec", "ca");    // "qc"
 * findRegion("Ontario", "us");   // undefined
 * ```
 */
export function findRegion(text: string, country?: "us" | "ca"): string | undefined {
  const key = regionKey(text);
  const tables = country === undefined ? [TABLES.us!, TABLES.ca!] : [TABLES[country]!];
  for (const table of tables) {
    if (key.length === 2 && table.codes.has(key)) return key;
    const code = table.byName.get(key);
    if (code !== undefined) return code;
  }
  return undefined;
}

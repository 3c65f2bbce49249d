/**
 * ISO 3166-1 country codes with their English names, for `normalizeCountry`.
 *
 * Why a table and not a library at runtime: this snapshot of i18n-iso-countries 7.14
 * (`codes.json` + `langs/en.json`, devDependency) costs about 3 KB gzipped in the Worker,
 * against about 9.5 KB for the library with only English registered (it also ships every
 * numeric code and a diacritics table). `src/differential.test.ts` checks every code, alpha-3
 * and English name here against the installed i18n-iso-countries, so an upstream change
 * (a renamed or new country) fails the tests instead of drifting silently.
 * One deliberate change: the ambiguous alias "Congo" is kept only for CG (as upstream resolves it).
 *
 * Line format: `AA AAA Name|Alias|...` (alpha-2, alpha-3, English names).
 *
 * @example
 * ```ts
 * findCountry("DEU"); // "de"
 * ```
 */

const TABLE = `
AD AND Andorra
AE ARE United Arab Emirates|UAE
AF AFG Afghanistan
AG ATG Antigua and Barbuda
AI AIA Anguilla
AL ALB Albania
AM ARM Armenia
AO AGO Angola
AQ ATA Antarctica
AR ARG Argentina
AS ASM American Samoa
AT AUT Austria
AU AUS Australia
AW ABW Aruba
AX ALA Åland Islands|Aland Islands
AZ AZE Azerbaijan
BA BIH Bosnia and Herzegovina
BB BRB Barbados
BD BGD Bangladesh
BE BEL Belgium
BF BFA Burkina Faso
BG BGR Bulgaria
BH BHR Bahrain
BI BDI Burundi
BJ BEN Benin
BL BLM Saint Barthélemy
BM BMU Bermuda
BN BRN Brunei Darussalam
BO BOL Bolivia
BQ BES Bonaire, Sint Eustatius and Saba
BR BRA Brazil
BS BHS Bahamas
BT BTN Bhutan
BV BVT Bouvet Island
BW BWA Botswana
BY BLR Belarus
BZ BLZ Belize
CA CAN Canada
CC CCK Cocos (Keeling) Islands
CD COD Democratic Republic of the Congo
CF CAF Central African Republic
CG COG Republic of the Congo|Congo
CH CHE Switzerland
CI CIV Cote d'Ivoire|Côte d'Ivoire|Ivory Coast
CK COK Cook Islands
CL CHL Chile
CM CMR Cameroon
CN CHN People's Republic of China|China
CO COL Colombia
CR CRI Costa Rica
CU CUB Cuba
CV CPV Cape Verde
CW CUW Curaçao
CX CXR Christmas Island
CY CYP Cyprus
CZ CZE Czech Republic|Czechia
DE DEU Germany
DJ DJI Djibouti
DK DNK Denmark
DM DMA Dominica
DO DOM Dominican Republic
DZ DZA Algeria
EC ECU Ecuador
EE EST Estonia
EG EGY Egypt
EH ESH Western Sahara
ER ERI Eritrea
ES ESP Spain
ET ETH Ethiopia
FI FIN Finland
FJ FJI Fiji
FK FLK Falkland Islands (Malvinas)
FM FSM Micronesia, Federated States of
FO FRO Faroe Islands
FR FRA France
GA GAB Gabon
GB GBR United Kingdom|UK|Great Britain
GD GRD Grenada
GE GEO Georgia
GF GUF French Guiana
GG GGY Guernsey
GH GHA Ghana
GI GIB Gibraltar
GL GRL Greenland
GM GMB Republic of The Gambia|The Gambia|Gambia
GN GIN Guinea
GP GLP Guadeloupe
GQ GNQ Equatorial Guinea
GR GRC Greece
GS SGS South Georgia and the South Sandwich Islands
GT GTM Guatemala
GU GUM Guam
GW GNB Guinea-Bissau
GY GUY Guyana
HK HKG Hong Kong
HM HMD Heard Island and McDonald Islands
HN HND Honduras
HR HRV Croatia
HT HTI Haiti
HU HUN Hungary
ID IDN Indonesia
IE IRL Ireland
IL ISR Israel
IM IMN Isle of Man
IN IND India
IO IOT British Indian Ocean Territory
IQ IRQ Iraq
IR IRN Islamic Republic of Iran|Iran
IS ISL Iceland
IT ITA Italy
JE JEY Jersey
JM JAM Jamaica
JO JOR Jordan
JP JPN Japan
KE KEN Kenya
KG KGZ Kyrgyzstan
KH KHM Cambodia
KI KIR Kiribati
KM COM Comoros
KN KNA Saint Kitts and Nevis
KP PRK North Korea
KR KOR South Korea|Korea, Republic of|Republic of Korea
KW KWT Kuwait
KY CYM Cayman Islands
KZ KAZ Kazakhstan
LA LAO Lao People's Democratic Republic
LB LBN Lebanon
LC LCA Saint Lucia
LI LIE Liechtenstein
LK LKA Sri Lanka
LR LBR Liberia
LS LSO Lesotho
LT LTU Lithuania
LU LUX Luxembourg
LV LVA Latvia
LY LBY Libya
MA MAR Morocco
MC MCO Monaco
MD MDA Moldova, Republic of
ME MNE Montenegro
MF MAF Saint Martin (French part)
MG MDG Madagascar
MH MHL Marshall Islands
MK MKD The Republic of North Macedonia|North Macedonia
ML MLI Mali
MM MMR Myanmar
MN MNG Mongolia
MO MAC Macao
MP MNP Northern Mariana Islands
MQ MTQ Martinique
MR MRT Mauritania
MS MSR Montserrat
MT MLT Malta
MU MUS Mauritius
MV MDV Maldives
MW MWI Malawi
MX MEX Mexico
MY MYS Malaysia
MZ MOZ Mozambique
NA NAM Namibia
NC NCL New Caledonia
NE NER Niger
NF NFK Norfolk Island
NG NGA Nigeria
NI NIC Nicaragua
NL NLD Netherlands|The Netherlands|Netherlands (Kingdom of the)
NO NOR Norway
NP NPL Nepal
NR NRU Nauru
NU NIU Niue
NZ NZL New Zealand
OM OMN Oman
PA PAN Panama
PE PER Peru
PF PYF French Polynesia
PG PNG Papua New Guinea
PH PHL Philippines
PK PAK Pakistan
PL POL Poland
PM SPM Saint Pierre and Miquelon
PN PCN Pitcairn|Pitcairn Islands
PR PRI Puerto Rico
PS PSE State of Palestine|Palestine
PT PRT Portugal
PW PLW Palau
PY PRY Paraguay
QA QAT Qatar
RE REU Reunion
RO ROU Romania
RS SRB Serbia
RU RUS Russian Federation|Russia
RW RWA Rwanda
SA SAU Saudi Arabia
SB SLB Solomon Islands
SC SYC Seychelles
SD SDN Sudan
SE SWE Sweden
SG SGP Singapore
SH SHN Saint Helena
SI SVN Slovenia
SJ SJM Svalbard and Jan Mayen
SK SVK Slovakia
SL SLE Sierra Leone
SM SMR San Marino
SN SEN Senegal
SO SOM Somalia
SR SUR Suriname
SS SSD South Sudan
ST STP Sao Tome and Principe
SV SLV El Salvador
SX SXM Sint Maarten (Dutch part)
SY SYR Syrian Arab Republic
SZ SWZ Eswatini
TC TCA Turks and Caicos Islands
TD TCD Chad
TF ATF French Southern Territories
TG TGO Togo
TH THA Thailand
TJ TJK Tajikistan
TK TKL Tokelau
TL TLS Timor-Leste
TM TKM Turkmenistan
TN TUN Tunisia
TO TON Tonga
TR TUR Türkiye|Turkey
TT TTO Trinidad and Tobago
TV TUV Tuvalu
TW TWN Taiwan, Province of China|Taiwan
TZ TZA United Republic of Tanzania|Tanzania
UA UKR Ukraine
UG UGA Uganda
UM UMI United States Minor Outlying Islands
US USA United States of America|United States|USA|U.S.A.|US|U.S.
UY URY Uruguay
UZ UZB Uzbekistan
VA VAT Holy See (Vatican City State)
VC VCT Saint Vincent and the Grenadines
VE VEN Venezuela
VG VGB Virgin Islands, British
VI VIR Virgin Islands, U.S.
VN VNM Vietnam
VU VUT Vanuatu
WF WLF Wallis and Futuna
WS WSM Samoa
XK XKK Kosovo
YE YEM Yemen
YT MYT Mayotte
ZA ZAF South Africa
ZM ZMB Zambia
ZW ZWE Zimbabwe`;

/** Lookup key for a name: accents removed, lowercase, letters a-z only ("Côte d'Ivoire" -> "cotedivoire"). */
function countryKey(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().replace(/[^a-z]/g, "");
}

/** Names (mostly native ones) that shoppers type and the English list lacks. */
const EXTRA_NAMES: Record<string, string> = {
  deutschland: "de", espana: "es", italia: "it", nederland: "nl", holland: "nl",
  osterreich: "at", schweiz: "ch", suisse: "ch", svizzera: "ch", belgique: "be",
  belgie: "be", brasil: "br", polska: "pl", sverige: "se", norge: "no", danmark: "dk",
  suomi: "fi", eire: "ie", england: "gb", scotland: "gb", wales: "gb",
  northernireland: "gb", america: "us",
};

const CODES = new Set<string>();
const BY_ALPHA3 = new Map<string, string>();
const BY_NAME = new Map<string, string>();

for (const line of TABLE.split("\n")) {
  if (line.length < 7) continue;
  const alpha2 = line.slice(0, 2).toLowerCase();
  CODES.add(alpha2);
  BY_ALPHA3.set(line.slice(3, 6).toLowerCase(), alpha2);
  for (const name of line.slice(7).split("|")) {
    const key = countryKey(name);
    if (!BY_NAME.has(key)) BY_NAME.set(key, alpha2); // first listed wins, as upstream
  }
}
for (const [key, alpha2] of Object.entries(EXTRA_NAMES)) {
  if (!BY_NAME.has(key)) BY_NAME.set(key, alpha2);
}

/**
 * The lowercase ISO 3166-1 alpha-2 code for an alpha-2 code, an alpha-3 code or an English
 * name (any case, accents and punctuation ignored), or `undefined` when it names no country.
 * "UK" is accepted for GB (ISO reserves it for the United Kingdom).
 *
 * @example
 * ```ts
 * findCountry("US");            // "us"
 * findCountry("deu");           // "de"
 * findCountry("United Kingdom"); // "gb"
 * findCountry("Côte d'Ivoire");  // "ci"
 * findCountry("Atlantis");       // undefined
 * ```
 */
export function findCountry(text: string): string | undefined {
  const key = countryKey(text);
  if (key.length === 2 && CODES.has(key)) return key;
  if (key.length === 3) {
    const fromAlpha3 = BY_ALPHA3.get(key);
    if (fromAlpha3 !== undefined) return fromAlpha3;
  }
  return BY_NAME.get(key);
}

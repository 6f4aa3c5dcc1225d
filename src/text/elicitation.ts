/**
 * Harvesting hallmarks in a prompt and its system prompt (THREAT-MODEL.md, "The hallmarks
 * defenders named"): chain-of-thought elicitation, reasoning-trace extraction, "write your
 * thinking in <language>" (GTIG, Feb 2026), rubric grading, censorship-safe rewrites, fake debug
 * modes and persona prompts demanding complete, transparent reasoning.
 *
 * The detectors are built for the phenomenon, not for one phrasing: each is a product of word
 * families (an output verb × a "completeness" qualifier × a reasoning noun, inside a short window)
 * so that synonym swaps (reasoning ↔ thought process ↔ line of thinking; complete ↔ full ↔ entire;
 * explain ↔ describe ↔ spell out) and greetings do not defeat them.
 *
 * `strong` marks hits specific to reasoning-trace harvesting: the *complete / internal / raw*
 * reasoning demanded, a trace reconstructed for a given answer, narration before every tool call,
 * thinking in a named language, a debug mode that asks for reasoning, a persona that demands
 * complete transparent reasoning. The standard prompts of evaluation harnesses ("Let's think step
 * by step.", "Show your reasoning step by step, then give the final answer", "Please reason step
 * by step", few-shot "Q: … A: …") and users' "explain step by step" / "walk me through" are never
 * strong: they are at most a weak cot_elicitation hit. rubric_grading and policy_rewrite are kind
 * bits only (LLM-as-judge harnesses grade too).
 *
 * Cost: one lower-casing and a handful of indexOf checks for most prompts; the regexes run only
 * when a stem of their family is present.
 */

export const ELICITATION_KINDS = [
  'cot_elicitation',
  'trace_coercion',
  'thinking_language',
  'rubric_grading',
  'policy_rewrite',
  'debug_prompt',
  'persona_reasoning',
] as const;
export type ElicitationKind = (typeof ELICITATION_KINDS)[number];

/** Bit i of `mask` is set when ELICITATION_KINDS[i] was detected in the prompt or system prompt. */
export interface Elicitation {
  mask: number;
  strong: boolean;
}

/** The bit of one kind in `Elicitation.mask`. */
export const ELICITATION_BIT: Readonly<Record<ElicitationKind, number>> = {
  cot_elicitation: 1 << 0,
  trace_coercion: 1 << 1,
  thinking_language: 1 << 2,
  rubric_grading: 1 << 3,
  policy_rewrite: 1 << 4,
  debug_prompt: 1 << 5,
  persona_reasoning: 1 << 6,
};

/** True when `e` has the bit of `kind`. */
export function hasElicitation(e: Elicitation, kind: ElicitationKind): boolean {
  return (e.mask & ELICITATION_BIT[kind]) !== 0;
}

/** The kinds set in a mask, in ELICITATION_KINDS order. */
export function elicitationKinds(mask: number): ElicitationKind[] {
  return ELICITATION_KINDS.filter((k) => (mask & ELICITATION_BIT[k]) !== 0);
}

/** The result for no text. */
export const NO_ELICITATION: Elicitation = Object.freeze({ mask: 0, strong: false });

/**
 * Texts are scanned up to this many UTF-16 units from each end: the first 2,000 and the last 1,000.
 * Templates are instructions at the start or the end of a prompt; a pasted document in the middle
 * is the task, and scanning it all would make the cost grow with document length. (Was 3,000 and
 * 1,500: no detection changed on 25k sampled prompts, and the longest texts cost a third less.)
 */
const SCAN_HEAD = 2000;
const SCAN_TAIL = 1000;

// ---- word families (lower case) --------------------------------------------------------------

/** Reasoning nouns. "logic" not when it is the logic *of* something ("the full logic of this
 * function" is a coding question); "logic behind your answer" still counts. */
const NOUN =
  '(?:reasoning(?: (?:trace|process|steps?|chain))?|thought[- ]process(?:es)?|thinking(?: process| trace)?|thoughts|line of (?:thinking|thought|reasoning)|train of thought|chains? of (?:thought|reasoning)|chain-of-thought|cot|rationale|deliberations?|inner monologue|internal monologue|scratch ?pad|mental (?:process|steps)|cognitive process|logic(?! (?:of|behind|for) (?!your\\b|the (?:answer|response|solution)\\b)))';

/** Output verbs: asking for the reasoning to be produced. */
const VERB =
  '(?:clarify|elaborate(?: on)?|break down|go through|talk (?:me |us )?through|justify|write(?: out| down)?|writing out|articulate|reconstruct|recreate|reproduce|lay(?:ing)? out|set out|spell(?:ing)? out|show(?:ing)?|share|explain(?:ing)?|describe|detail|walk (?:me|us) through|narrate|print|output|emit|dump|reveal|expose|display|give|provide|include|including|deliver|present|document|verbali[sz]e|transcribe|expand|unpack|state|list|outline|make|keep|let me see|see|read|with|record|trace out|think out loud|think aloud|put|render|generate)';

/** Completeness / interiority qualifiers: what makes a reasoning request specific to trace
 * harvesting rather than an ordinary "explain your reasoning". */
const STRONG_QUAL =
  '(?:internal|inner|complete|full|entire|whole|thorough|raw|unsummari[sz]ed|unabridged|unfiltered|unedited|uncensored|verbatim|hidden|private|intermediate|exhaustive|transparent|every|all(?: of)?|each)';
/** Words allowed between the last qualifier and the noun ("complete, transparent reasoning", "all of
 * your intermediate reasoning", "the full step-by-step thought process"). */
const FILLER =
  '(?:[^\\S\\n]*(?:,|and|of|your|the|its|my|this|that|own|step[- ]by[- ]step|detailed|explicit|logical|written|(?:internal|inner|complete|full|entire|whole|thorough|raw|unsummari[sz]ed|unabridged|unfiltered|verbatim|hidden|private|intermediate|exhaustive|transparent)))*[^\\S\\n]*';

/** Qualifiers that follow the noun: "your reasoning in full", "… verbatim", "… unabridged". */
const POST_QUAL =
  "(?:in full|in its entirety|in (?:complete|full|exhaustive|granular) detail|verbatim|unabridged|unsummari[sz]ed|without (?:summari[sz]ing|omitting|skipping|abridging|leaving)|never skip|do not skip|don't skip|completely|exhaustively|explicitly|transparently|word for word)";

/** Horizontal white space (white space but a line break). */
const HS = '[^\\S\\n]';
/**
 * Longest run of non-space characters that counts as one word of a window. Longer runs (URLs,
 * base64, minified code) are not words: a window cannot step over them, though the part of a
 * window right before the next pattern part may still end inside their first MAX_WORD characters.
 */
const MAX_WORD = 64;
/**
 * Up to `n` words between two parts of a pattern, inside one clause (no . ! ? ; : or line break),
 * then an optional comma. Words are runs of non-space characters separated by horizontal space;
 * the last one may end anywhere (the next part of the pattern starts at a word boundary, e.g.
 * after "(").
 *
 * Linear on purpose. The first form, `(?:\s*[^\s.!?;:]+){0,n}?`, let consecutive repetitions
 * split one run of characters in every possible way (the space between them could be empty), so a
 * failing match tried ~C(k, n) splits of a k-character run: a 100-character URL after "reconstruct"
 * took 30 s. Here every word but the last must be followed by space, so each run is split at most
 * once; the matched language is the same for words of up to MAX_WORD characters.
 */
const gap = (n: number, word = '[^\\s.!?;:]', tail = `${HS}*,?${HS}*`): string =>
  `(?:${HS}*${word}{1,${MAX_WORD}}(?:${HS}+${word}{1,${MAX_WORD}}){0,${n - 1}})?${tail}`;

/** Weak cot: an output verb with a reasoning noun as its object, or "reason … step by step". */
const COT_WEAK = new RegExp(
  `\\b${VERB}\\b${gap(5)}\\b(?:your|the|my|its|an?|all|each|every|intermediate|complete|full)\\b${gap(3)}\\b${NOUN}\\b|\\b(?:step[- ]by[- ]step|stepwise|one step at a time) (?:reasoning|thought process|rationale|explanation of your)`,
);

/** Strong cot: verb × completeness qualifier × reasoning noun; or noun × trailing qualifier. */
const COT_STRONG = new RegExp(
  `\\b${VERB}\\b${gap(6)}\\b${STRONG_QUAL}\\b${FILLER}\\b${NOUN}\\b|\\b${NOUN}\\b${gap(5)}${POST_QUAL}|\\b(?:every|each|all(?: of)?(?: the)?) (?:single |intermediate |individual )?steps? of (?:your|the|its) ${NOUN}\\b|\\b${NOUN}\\b${gap(3)}\\b(?:fully|completely|entirely) (?:explicit|visible|transparent|exposed)`,
);

/** Trace extraction: reconstruct the reasoning behind a given answer; raw/internal traces; earlier
 * reasoning translated. Each clause is specific by itself, so every TRACE hit is strong. */
const TRACE = new RegExp(
  [
    // "reconstruct / reverse-engineer the reasoning (trace) …"
    `\\b(?:reconstruct|recreate|reverse[- ]engineer|regenerate|recover|back[- ]?fill)\\w*\\b${gap(8)}\\b${NOUN}\\b`,
    // "… the reasoning behind this completed response / that produces the given answer"
    `\\b${NOUN}\\b${gap(4)}\\b(?:behind|that (?:leads?|led|produces?|produced|yields?|yielded|gives?|gave|results? in|resulted in|arrives? at|arrived at)|leading to|producing|which (?:leads?|led|produces?|produced)|for) (?:this|the|that|a|each)\\b${gap(1)}(?:completed|given|provided|known|following|above|reference|gold|target) (?:response|answer|solution|output|result|completion|conclusion|label)`,
    // explicitly internal / raw / hidden traces
    `\\b(?:internal|inner|raw|hidden|private|unsummari[sz]ed|unfiltered|unredacted|verbatim)\\b${FILLER}\\b(?:traces?|reasoning traces?|thinking traces?|thoughts?|thinking|reasoning|thought process|chain of thought|scratch ?pad|monologue|deliberations?)\\b`,
    `\\b(?:full|complete|entire|whole|raw) (?:internal )?(?:reasoning|thinking|thought) traces?\\b`,
    `<\\/?(?:thinking|think|reasoning|scratchpad|thoughts?)>`,
    `\\b(?:think|reason) out loud\\b|\\bnarrate\\b${gap(3)}\\b${NOUN}`,
    `\\btranslat\\w*\\b${gap(5)}\\b(?:earlier|previous|prior|above|original)\\b${gap(2)}\\b${NOUN}`,
  ].join('|'),
);

/** Narration around every tool call ("explain your reasoning before each tool call"): trace
 * extraction from agent loops. Weak unless the reasoning asked for is complete (COT_STRONG). */
const TOOL_NARRATION = new RegExp(
  `\\b(?:before|prior to|ahead of|after|following|at) (?:each|every|any|making (?:a|each|every|any)|calling (?:a|each|every|any)|each and every)\\b${gap(1)}(?:tool|function|api|action)s?\\b(?: calls?| invocations?| uses?| results?)?|\\b(?:each|every) (?:tool|function) (?:call|result|invocation)`,
);
const NARRATE_VERB = /\b(?:explain|justify|narrate|describe|state|write|reason|think|spell out|walk)/;

const RUBRIC = new RegExp(
  [
    `\\brubric\\b`,
    `\\b(?:grade|score|rate|evaluate|assess|judge)\\b${gap(6)}\\b(?:response|answer|completion|output|submission|solution|essay|reply|assistant)\\b${gap(12)}\\b(?:scale|criteria|criterion|points?|score|json|\\d+ ?(?:-|to|–) ?\\d+|out of \\d+)\\b`,
    `\\breward model\\b|\\bpreference (?:label|judg)|\\b(?:"|')score(?:"|')\\s*:`,
  ].join('|'),
);

const POLICY = new RegExp(
  [
    `\\bcensorship[- ](?:compliant|safe|friendly|proof)|\\bpolitically (?:safe|neutral|acceptable|correct|sanitized|compliant)\\b`,
    `\\b(?:rewrite|re-write|rephrase|reword|reformulate|paraphrase|sanitize|sanitise|soften|transform|convert|produce|give|write)\\b${gap(6)}\\b(?:question|prompt|query|request|topic|version)\\b${gap(8)}\\b(?:safe(?:ly)?|neutral(?:ly)?|censor\\w*|compliant|sensitive|harmless|inoffensive|non-?controversial|acceptable|appropriate for all|suitable for all|avoid(?:s|ing)? (?:sensitive|controversial|political))\\b`,
    `\\b(?:safe|neutral|sanitized|censored|compliant|harmless) (?:rewrite|rephrasing|version|reformulation)\\b${gap(4)}\\b(?:question|prompt|query)\\b`,
  ].join('|'),
);

/** Announced debug / developer / override modes (fake system prompts). */
const DEBUG = new RegExp(
  [
    `\\[\\s*(?:debug|dev|developer|diagnostic|maintenance|admin|god|internal)[ _-]?mode[^\\]]{0,20}\\]`,
    `\\b(?:debug|developer|dev|diagnostic|maintenance|god|admin|unrestricted|jailbreak)[ _-]?mode\\s*(?:[=:]\\s*)?(?:on|enabled|activated|active|true|1)\\b`,
    `\\b(?:enable|activate|enter|entering|switch(?:ing)? to|you are (?:now )?in)\\b${gap(2)}\\b(?:debug|developer|dev|diagnostic|maintenance|god)[ _-]?mode\\b`,
    `\\bsystem override\\b|\\boverride (?:mode|protocol|code)\\b|\\binternal (?:eval|evaluation|test|debug) build\\b`,
    `\\b(?:reasoning|thinking|thought|trace|cot) (?:summari[sz]ation|summary|summaries|redaction|filter(?:ing)?|hiding) (?:is |are |has been |have been )?(?:disabled|off|turned off|deactivated|bypassed|removed)\\b`,
    `\\b(?:for|in) (?:diagnostics?|debugging purposes)\\b${gap(6)}\\b(?:emit|print|output|dump|log|show)\\b`,
  ].join('|'),
);
/** A reasoning request anywhere in the text: makes a debug hit strong. */
const REASONING_WORD =
  /\b(?:reasoning|thinking|thoughts?|trace|chain of thought|scratch ?pad|monologue|deliberation|rationale)\b/;

/** Persona openers: "You are an expert …", "Act as a senior …". */
/** At the start of the text or of a sentence or line. `(?:^|[.!\n]\s*)` matched the same texts (the
 * last line break of a white-space run is itself a start) but scanned each run once per line
 * break in it: quadratic on a run of blank lines. */
const PERSONA = new RegExp(
  `(?:^|[.!\\n])${HS}*(?:you are|you're|act as|acting as|as|imagine you are|pretend (?:to be|you are)|role ?play as|assume the role of)\\b${gap(4, '[^\\s.!?]', `${HS}*`)}\\b(?:expert|world-class|world class|senior|seasoned|meticulous|veteran|professional|principal|leading|elite|specialist|renowned|brilliant|rigorous|genius|top)\\b`,
);
/** …demanding complete reasoning (COT_STRONG or these). */
const PERSONA_DEMAND = new RegExp(
  `\\b(?:never skip (?:a )?steps?|show (?:all|every) (?:of )?(?:your |the )?(?:work|steps?)|explain every step|every step of your|make your\\b${gap(3)}\\b${NOUN}\\b${gap(2)}\\bexplicit)`,
);

// ---- thinking in a named language ------------------------------------------------------------

/** "think / reason / thinking / reasoning" in many languages (lower case, stems). */
const THINK_WORDS = [
  // English
  'think',
  'reasoning',
  'reason in',
  'reason step',
  'thought',
  // Spanish, Portuguese, Italian, French, Catalan
  'piensa',
  'piense',
  'pensa',
  'pensamiento',
  'razon',
  'racioc',
  'raciocín',
  'reflexi',
  'reflex',
  'ragion',
  'riflett',
  'riflession',
  'pensier',
  'réfléch',
  'réflexion',
  'raisonn',
  'pensée',
  'penser',
  'pense ',
  // German, Dutch
  'denk',
  'gedanke',
  'überleg',
  'nachdenk',
  'redeneer',
  'redenering',
  'gedachte',
  // Polish, Czech, Slovak
  'myśl',
  'myśle',
  'rozumow',
  'rozumuj',
  'przemyśl',
  'přemýšl',
  'uvažov',
  // Russian, Ukrainian
  'рассужд',
  'размышл',
  'мышлени',
  'мысл',
  'думай',
  'подумай',
  'міркуй',
  'міркуван',
  'мислен',
  'мисленн',
  'думк',
  'розмірк',
  // Turkish, Indonesian/Malay, Vietnamese
  'düşün',
  'akıl yürüt',
  'berpikir',
  'pikir',
  'penalaran',
  'nalar',
  'suy nghĩ',
  'suy luận',
  'lập luận',
  // Japanese, Korean, Chinese
  '考え',
  '思考',
  '推論',
  '推理',
  '考虑',
  '考慮',
  '想法',
  '생각',
  '사고',
  '추론',
  // Arabic, Persian, Hebrew, Hindi, Bengali, Thai
  'فكر',
  'فكّر',
  'تفكير',
  'استدلال',
  'استنتاج',
  'تفکر',
  'فکر',
  'חשוב',
  'חשיבה',
  'सोच',
  'तर्क',
  'विचार',
  'চিন্তা',
  'คิด',
  'เหตุผล',
];

/** A named language, in English or in that language ("in French", "en español", "用中文"). */
const LANGUAGE_NAMES = [
  // English names
  'english',
  'spanish',
  'french',
  'german',
  'portuguese',
  'italian',
  'russian',
  'ukrainian',
  'polish',
  'dutch',
  'turkish',
  'indonesian',
  'malay',
  'vietnamese',
  'japanese',
  'korean',
  'chinese',
  'mandarin',
  'cantonese',
  'arabic',
  'hindi',
  'bengali',
  'urdu',
  'persian',
  'farsi',
  'hebrew',
  'greek',
  'thai',
  'swahili',
  'tagalog',
  'filipino',
  'swedish',
  'norwegian',
  'danish',
  'finnish',
  'czech',
  'romanian',
  'hungarian',
  "the user's language",
  'the user’s language',
  'the language of the',
  'the same language as',
  // endonyms and common forms
  'español',
  'castellano',
  'inglés',
  'français',
  'francais',
  'anglais',
  'deutsch',
  'englisch',
  'português',
  'portugues',
  'inglês',
  'italiano',
  'inglese',
  'русском',
  'русский',
  'по-русски',
  'английск',
  'українськ',
  'англійськ',
  'po polsku',
  'polsku',
  'po angielsku',
  'nederlands',
  'engels',
  'türkçe',
  'turkce',
  'ingilizce',
  'bahasa indonesia',
  'bahasa inggris',
  'bahasa melayu',
  'tiếng việt',
  'tiếng anh',
  'česky',
  'češtině',
  'svenska',
  'ελληνικά',
  'עברית',
  '日本語',
  '英語',
  '中国語',
  '한국어',
  '영어',
  '중국어',
  '中文',
  '汉语',
  '漢語',
  '英文',
  '英语',
  '普通话',
  '繁體',
  '简体',
  'العربية',
  'بالعربية',
  'الإنجليزية',
  'فارسی',
  'हिंदी',
  'हिन्दी',
  'अंग्रेज़ी',
  'अंग्रेजी',
  'বাংলা',
  'ภาษาไทย',
  'ภาษาอังกฤษ',
];

/** What ends the reach of a thinking word: a sentence end, a comma, or an answer verb ("think, then
 * answer in French" asks for the *answer* in French). Latin-script verbs at a word start. */
const ANSWER_BREAK =
  /[.!?。！？\n,，、;]|\b(?:answer|reply|respond|response|responde|responder|réponds|répondre|réponse|antworte|antwort|rispondi|risposta|responda|resposta|odpowie|antwoord|cevap|jawab|trả lời)|ответ|відповід|回答|回复|答え|답|أجب|الإجابة|उत्तर|ตอบ/;
/** A first-person or second-person subject before the thinking word: "I think in English it is
 * called …", "je pense que …" are opinions, not instructions. */
const OPINION_SUBJECT = /(?:^|[^\p{L}])(?:i|we|you|they|people|do|don't|to|je|on|ich|wir|yo|eu|io|я|мы)\s+$/u;
/** Largest distance (UTF-16 units) between a thinking word and a language name. */
const LANGUAGE_REACH = 60;

const escapeRe = (w: string): string => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** One alternation per list: a single regex pass is ~10× cheaper than an indexOf per word. */
const LANGUAGE_RE = new RegExp(LANGUAGE_NAMES.map(escapeRe).join('|'), 'g');
const THINK_RE = new RegExp(THINK_WORDS.map(escapeRe).join('|'), 'g');

/** [start, end, start, end, …] of the matches of a global regex. */
function findAll(text: string, re: RegExp): number[] {
  const out: number[] = [];
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    out.push(m.index, m.index + m[0].length);
    // Overlapping names ("italian" / "italiano"): resume one past the start.
    re.lastIndex = m.index + 1;
  }
  return out;
}

/** Latin and Cyrillic words must start at a word boundary ("reason" is not in "treason", "thai"
 * not in "mythai"); other scripts have no such boundary to check. */
function startsWord(text: string, at: number): boolean {
  if (at === 0) return true;
  const c = text.charCodeAt(at - 1);
  return !((c >= 97 && c <= 122) || (c >= 0xc0 && c <= 0x24f) || (c >= 0x400 && c <= 0x4ff));
}

/** ANSWER_BREAK as a global regex, to list every place it matches in a text. */
const ANSWER_BREAK_G = new RegExp(ANSWER_BREAK.source, 'g');

/** Scratch of thinkingLanguage, indexed by text position 0…length (grown, never shrunk). */
let breakEnd = new Int32Array(0);
let lastThinkEnd = new Int32Array(0);
let firstThinkStart = new Int32Array(0);
let maxEndStartedBefore = new Int32Array(0);

/**
 * A thinking word and a language name within LANGUAGE_REACH of each other with no ANSWER_BREAK
 * between them (the language name may also overlap the thinking word).
 *
 * Linear: the first form tried every (language, thinking word) pair and ran ANSWER_BREAK over
 * the text between each, quadratic in the number of matches (a CJK text is a match every few
 * characters). Here the breaks are found once, and for each language name only the nearest
 * thinking word on each side is checked: a farther one has a longer stretch in between that
 * contains the nearer one's, so it fails whenever the nearer one fails.
 */
function thinkingLanguage(text: string): boolean {
  const langs = findAll(text, LANGUAGE_RE);
  if (langs.length === 0) return false;
  const found = findAll(text, THINK_RE);
  const thinks: number[] = [];
  for (let j = 0; j < found.length; j += 2) {
    const ts = found[j]!;
    if (startsWord(text, ts) && !OPINION_SUBJECT.test(text.slice(Math.max(0, ts - 12), ts)))
      thinks.push(ts, found[j + 1]!);
  }
  if (thinks.length === 0) return false;
  const n = text.length + 1;
  if (breakEnd.length < n) {
    const size = Math.max(n, 2 * breakEnd.length);
    breakEnd = new Int32Array(size);
    lastThinkEnd = new Int32Array(size);
    firstThinkStart = new Int32Array(size);
    maxEndStartedBefore = new Int32Array(size);
  }
  const NONE = 0x7fffffff;
  // breakEnd[p]: the smallest end of an ANSWER_BREAK match starting at p or later.
  breakEnd.fill(NONE, 0, n);
  const br = findAll(text, ANSWER_BREAK_G);
  for (let i = 0; i < br.length; i += 2) breakEnd[br[i]!] = Math.min(breakEnd[br[i]!]!, br[i + 1]!);
  for (let p = n - 2; p >= 0; p--) if (breakEnd[p + 1]! < breakEnd[p]!) breakEnd[p] = breakEnd[p + 1]!;
  // lastThinkEnd[p]: the largest end ≤ p; firstThinkStart[p]: the smallest start ≥ p;
  // maxEndStartedBefore[p]: the largest end of a thinking word starting before p.
  lastThinkEnd.fill(-1, 0, n);
  firstThinkStart.fill(NONE, 0, n);
  maxEndStartedBefore.fill(-1, 0, n);
  for (let j = 0; j < thinks.length; j += 2) {
    const ts = thinks[j]!;
    const te = thinks[j + 1]!;
    if (te > lastThinkEnd[te]!) lastThinkEnd[te] = te;
    if (ts < firstThinkStart[ts]!) firstThinkStart[ts] = ts;
    if (ts + 1 < n && te > maxEndStartedBefore[ts + 1]!) maxEndStartedBefore[ts + 1] = te;
  }
  for (let p = 1; p < n; p++) {
    if (lastThinkEnd[p - 1]! > lastThinkEnd[p]!) lastThinkEnd[p] = lastThinkEnd[p - 1]!;
    if (maxEndStartedBefore[p - 1]! > maxEndStartedBefore[p]!)
      maxEndStartedBefore[p] = maxEndStartedBefore[p - 1]!;
  }
  for (let p = n - 2; p >= 0; p--)
    if (firstThinkStart[p + 1]! < firstThinkStart[p]!) firstThinkStart[p] = firstThinkStart[p + 1]!;
  for (let i = 0; i < langs.length; i += 2) {
    const ls = langs[i]!;
    const le = langs[i + 1]!;
    if (!startsWord(text, ls)) continue;
    // A thinking word overlapping the name: nothing in between.
    if (maxEndStartedBefore[le]! > ls) return true;
    // Nearest thinking word before: "think … in French".
    const te = lastThinkEnd[ls]!;
    if (te >= 0 && ls - te <= LANGUAGE_REACH && breakEnd[te]! > ls) return true;
    // Nearest thinking word after: "en español, piensa" (the comma breaks it), "用中文思考".
    const ts = firstThinkStart[le]!;
    if (ts !== NONE && ts - le <= LANGUAGE_REACH && breakEnd[le]! > ts) return true;
  }
  return false;
}

// ---- prefilters ------------------------------------------------------------------------------

/** Families of prefilter stems: a detector runs only when a stem of its family is in the text. */
const G_REASON = 1 << 0;
const G_TOOL = 1 << 1;
const G_RUBRIC = 1 << 2;
const G_POLICY = 1 << 3;
const G_DEBUG = 1 << 4;
const G_STEP = 1 << 5;
/** An ASCII thinking word / language name (thinkingLanguage in an ASCII-only text needs both). */
const G_THINK = 1 << 6;
const G_LANG = 1 << 7;
/** The text has a character beyond ASCII: thinkingLanguage always runs. */
const G_NON_ASCII = 1 << 8;

const isAscii = (w: string): boolean => !/[\u0080-\uffff]/.test(w);

const GATE_STEMS: readonly (readonly [number, readonly string[]])[] = [
  // Stems of the English cot / trace detectors: a text with none of them skips them all.
  [
    G_REASON,
    [
      'reason',
      'thought',
      'thinking',
      'logic',
      'rationale',
      'deliberat',
      'monologue',
      'scratch',
      '<think',
      'trace',
    ],
  ],
  [G_TOOL, ['tool', 'function', 'action']],
  [G_RUBRIC, ['rubric', 'grade', 'score', 'rate', 'reward', 'assess', 'evaluat', 'judge']],
  [
    G_POLICY,
    [
      'safe',
      'neutral',
      'censor',
      'sensitive',
      'compliant',
      'harmless',
      'politic',
      'controvers',
      'suitable for all',
      'appropriate for all',
    ],
  ],
  [G_DEBUG, ['mode', 'override', 'build', 'disabled', 'diagnost', ' off']],
  [G_STEP, ['step']],
  [G_THINK, THINK_WORDS.filter(isAscii)],
  [G_LANG, LANGUAGE_NAMES.filter(isAscii)],
];

/** Every stem has at least this many characters, all ASCII: stems are looked up by their first 4. */
const KEY_CHARS = 4;
const KEY_BITS = 12;
/** Table slot of four ASCII characters packed 7 bits each (Fibonacci hashing). */
const keySlot = (k: number): number => Math.imul(k, 0x9e3779b1) >>> (32 - KEY_BITS);
/** Stems grouped by the slot of their first four characters: [stem, family, stem, family, …]. */
const STEM_GROUPS: (string | number)[][] = [[]];
/** 1 + the STEM_GROUPS index of a slot; 0 for a slot without stems. */
const SLOT_GROUP = new Uint16Array(1 << KEY_BITS);
for (const [bit, stems] of GATE_STEMS) {
  for (const w of stems) {
    if (w.length < KEY_CHARS) throw new Error(`elicitation: stem ${JSON.stringify(w)} is too short`);
    let k = 0;
    for (let i = 0; i < KEY_CHARS; i++) k = (k << 7) | w.charCodeAt(i);
    const slot = keySlot(k);
    if (SLOT_GROUP[slot] === 0) {
      SLOT_GROUP[slot] = STEM_GROUPS.length;
      STEM_GROUPS.push([]);
    }
    STEM_GROUPS[SLOT_GROUP[slot]!]!.push(w, bit);
  }
}
const G_ALL = (1 << 9) - 1;

/**
 * The families (G_*) with a stem somewhere in `text`, in one pass: at each position the last four
 * characters pick the stems that may start there from a table, and only those are compared. Same
 * answer as an indexOf per stem, which cost more than all the detectors together on an ordinary
 * prompt.
 */
function gates(text: string): number {
  let found = 0;
  let k = 0;
  let ascii = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128) {
      found |= G_NON_ASCII;
      ascii = 0;
      continue;
    }
    k = ((k << 7) | c) & 0xfffffff;
    if (++ascii < KEY_CHARS) continue;
    const g = SLOT_GROUP[keySlot(k)]!;
    if (g === 0) continue;
    const list = STEM_GROUPS[g]!;
    for (let j = 0; j < list.length; j += 2) {
      const bit = list[j + 1] as number;
      if ((found & bit) === 0 && text.startsWith(list[j] as string, i - (KEY_CHARS - 1))) found |= bit;
    }
    if (found === G_ALL) break;
  }
  return found;
}

const COT = ELICITATION_BIT.cot_elicitation;
const TRACE_BIT = ELICITATION_BIT.trace_coercion;
const LANG = ELICITATION_BIT.thinking_language;
const RUBRIC_BIT = ELICITATION_BIT.rubric_grading;
const POLICY_BIT = ELICITATION_BIT.policy_rewrite;
const DEBUG_BIT = ELICITATION_BIT.debug_prompt;
const PERSONA_BIT = ELICITATION_BIT.persona_reasoning;

/** mask in the low 7 bits, strong in bit 7. */
const STRONG = 1 << 7;

/**
 * One text. Cost: one lower-casing of at most SCAN_HEAD + SCAN_TAIL characters, one gates() pass,
 * then only the detectors whose stems occur; every regex is linear in the text (no window can
 * split a word in several ways, see gap()).
 */
function scan(raw: string, isSystem: boolean): number {
  let text =
    raw.length > SCAN_HEAD + SCAN_TAIL
      ? `${raw.slice(0, SCAN_HEAD)}\n${raw.slice(raw.length - SCAN_TAIL)}`
      : raw;
  text = text.toLowerCase();
  if (text.indexOf('’') >= 0 || text.indexOf('‘') >= 0) text = text.replace(/[’‘]/g, "'");
  const g = gates(text);
  let r = 0;
  const reasoning = (g & G_REASON) !== 0;
  if (reasoning) {
    if (COT_STRONG.test(text)) r |= COT | STRONG;
    else if (COT_WEAK.test(text)) r |= COT;
    if (TRACE.test(text)) r |= TRACE_BIT | STRONG;
  }
  if ((g & G_TOOL) !== 0 && TOOL_NARRATION.test(text) && NARRATE_VERB.test(text))
    r |= (r & STRONG) !== 0 ? TRACE_BIT | STRONG : TRACE_BIT;
  if ((g & G_RUBRIC) !== 0 && RUBRIC.test(text)) r |= RUBRIC_BIT;
  if ((g & G_POLICY) !== 0 && POLICY.test(text)) r |= POLICY_BIT;
  if ((g & G_DEBUG) !== 0 && DEBUG.test(text)) {
    // In a user prompt "debug mode enabled" is often a coding question about a framework; there
    // it counts only with a reasoning request. In a system prompt the announcement is the trick.
    if (REASONING_WORD.test(text)) r |= DEBUG_BIT | STRONG;
    else if (isSystem) r |= DEBUG_BIT;
  }
  if ((reasoning || (g & G_STEP) !== 0) && PERSONA.test(text)) {
    if ((r & STRONG) !== 0 || PERSONA_DEMAND.test(text)) r |= PERSONA_BIT | STRONG;
  }
  if (((g & G_NON_ASCII) !== 0 || (g & (G_THINK | G_LANG)) === (G_THINK | G_LANG)) && thinkingLanguage(text))
    r |= LANG | STRONG;
  return r;
}

/**
 * The harvesting hallmarks in a prompt and its system prompt (module header). Deterministic;
 * undefined or empty texts give no hits.
 */
export function detectElicitation(
  prompt: string | undefined,
  systemPrompt?: string | undefined,
): Elicitation {
  let r = 0;
  if (prompt !== undefined && prompt.length > 0) r |= scan(prompt, false);
  if (systemPrompt !== undefined && systemPrompt.length > 0) r |= scan(systemPrompt, true);
  if (r === 0) return NO_ELICITATION;
  return { mask: r & ~STRONG, strong: (r & STRONG) !== 0 };
}

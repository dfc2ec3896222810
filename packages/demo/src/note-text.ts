import type { Rng } from './prng.ts';

/**
 * Phrases for the demo's signed notes, by section (the section codes of @confide/notes' templates). Plausible
 * clinical prose, but generic and obviously synthetic: `{name}` is the patient's first name, `{dx}` the
 * diagnoses the visit addresses.
 */
const PHRASES: Record<string, readonly string[]> = {
  subjective: [
    '{name} reports sleeping better since the last visit, about six hours most nights.',
    '{name} describes a stressful two weeks at work, with more worry in the evenings.',
    '{name} says mood has been "up and down"; good days outnumber bad ones.',
    '{name} reports taking medication as prescribed and no side effects worth mentioning.',
    '{name} noticed less irritability with family and more energy in the mornings.',
    '{name} reports one panic episode this week, shorter than before, managed with breathing exercises.',
  ],
  objective: [
    'Alert and oriented, casually dressed, good eye contact. Speech normal in rate and volume.',
    'Mood "okay", affect mildly constricted but reactive. Thought process linear and goal-directed.',
    'No psychomotor agitation. Denies suicidal or homicidal ideation, intent or plan.',
    'Cooperative and engaged throughout the session. Insight and judgment fair to good.',
  ],
  assessment: [
    '{dx}: gradual improvement over the last month.',
    '{dx}: symptoms persist but functioning is better; risk remains low.',
    '{dx}: stable on the current plan.',
  ],
  plan: [
    'Continue the current plan. Practise the agreed coping skills daily and keep the sleep diary.',
    'Follow up in two weeks. Repeat PHQ-9 and GAD-7 at the next visit.',
    'Review the safety plan at the next session. Crisis line information given again.',
    'Coordinate with the prescriber about the medication review; next appointment booked.',
  ],
  intervention: [
    'Cognitive restructuring of catastrophic thoughts about work; behavioral activation schedule reviewed.',
    'Motivational interviewing around the goals {name} set; values exercise.',
    'Psychoeducation on the anxiety cycle; paced breathing practised in session.',
  ],
  response: [
    '{name} engaged well and identified two alternative thoughts without prompting.',
    '{name} was receptive and agreed to try the exercise at home this week.',
    '{name} found the breathing exercise helpful and rated distress lower at the end of the session.',
  ],
  history: [
    'Symptoms began about a year ago after a change of job, with low mood, poor sleep and withdrawal from friends.',
    'One previous episode of treatment with counselling, helpful at the time. No psychiatric hospitalizations.',
    'Lives with a partner; works full time. Drinks alcohol rarely. No legal problems.',
  ],
  risk: ['Denies current suicidal ideation; one episode of passive ideation last year without plan. Protective factors: family, work, engagement in care.'],
  session: [
    'Themes of control and fear of disappointing others came up again, this time about the family holiday.',
    'Noticed my own urge to reassure; held back, and {name} went further into the memory on their own.',
    'Hypothesis: the work conflict repeats the earlier pattern with the older sibling. Explore gently next time.',
  ],
  discharge: ['Goals met; {name} and I agreed to end regular sessions. Relapse prevention plan in place.'],
};

/** Which phrase list a section draws on, by its code (LOINC or Confide note-section). */
const SECTION_PHRASES: Record<string, keyof typeof PHRASES> = {
  '61150-9': 'subjective',
  data: 'subjective',
  behavior: 'subjective',
  '10154-3': 'subjective',
  '61149-1': 'objective',
  '10190-7': 'objective',
  '51848-0': 'assessment',
  '18776-5': 'plan',
  intervention: 'intervention',
  response: 'response',
  '10164-2': 'history',
  '11348-0': 'history',
  'substance-use': 'history',
  '29762-2': 'history',
  '10157-6': 'history',
  'risk-assessment': 'risk',
  'session-notes': 'session',
  'discharge-reason': 'discharge',
};

/** Two sentences for a section of a demo note. */
export function sectionText(code: string, rng: Rng, name: string, dx: string): string {
  const phrases = PHRASES[SECTION_PHRASES[code] ?? 'plan'];
  const picked = rng.sample(phrases, Math.min(2, phrases.length));
  return picked.map((p) => p.replace(/\{name\}/g, name).replace(/\{dx\}/g, dx)).join(' ');
}

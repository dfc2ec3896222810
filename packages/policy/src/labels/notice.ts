import type { Coding } from '@medplum/fhirtypes';
import { actCodeLabel, hasLabel } from './vocabulary.ts';

/**
 * The notice that must accompany a disclosure of 42 CFR Part 2 records made with the patient's written consent:
 * 42 CFR 2.32(a), "Notice and copy of consent to accompany disclosure", as amended by the 2024 final rule
 * (89 FR 12472, Feb. 16, 2024). The regulation offers two statements, "(i.e., paragraph (a)(1) or (2) of this
 * section)"; Confide uses the short one, Statement 2.
 *
 * Verification: Statement 2 was checked against several reproductions of the current text (the 2018 version read
 * "42 CFR part 2 prohibits unauthorized disclosure of these records."; the 2024 rule added "use or"). Statement 1 was
 * checked against a reproduction of § 2.32 up to "…unless at least one of the following applies:"; items (i)–(iii)
 * after it only against secondary sources, not against the Federal Register or eCFR text itself.
 */
export const PART2_REDISCLOSURE_NOTICE = '42 CFR part 2 prohibits unauthorized use or disclosure of these records.';

/** 42 CFR 2.32(a)(1), Statement 1 (2024 final rule). See `PART2_REDISCLOSURE_NOTICE` for what was verified. */
export const PART2_REDISCLOSURE_NOTICE_LONG =
  'This record which has been disclosed to you is protected by Federal confidentiality rules (42 CFR part 2). ' +
  'These rules prohibit you from using or disclosing this record, or testimony that describes the information contained in this record, ' +
  'in any civil, criminal, administrative, or legislative proceedings by any Federal, State, or local authority, against the patient, ' +
  'unless authorized by the consent of the patient, except as provided at 42 CFR 2.12(c)(5) or as authorized by a court in accordance with 42 CFR 2.64 or 2.65. ' +
  'In addition, the Federal rules prohibit you from making any other use or disclosure of this record unless at least one of the following applies: ' +
  '(i) Further use or disclosure is expressly permitted by the written consent of the individual whose information is being disclosed in this record or as otherwise permitted by 42 CFR part 2. ' +
  '(ii) You are a covered entity or business associate and have received the record for treatment, payment, or health care operations, or ' +
  '(iii) You have received the record from a covered entity or business associate as permitted by 45 CFR part 164, subparts A and E. ' +
  'A general authorization for the release of medical or other information is NOT sufficient to meet the required elements of written consent to further use or redisclose the record (see 42 CFR 2.31).';

const PART2 = actCodeLabel('42CFRPart2');

/**
 * Whether data with these labels needs the 42 CFR 2.32 notice when it is disclosed: it carries the `42CFRPart2`
 * policy label. (NORDSCLCD alone, set by hand on other data, asks the recipient not to redisclose, but the Part 2
 * notice, which cites Part 2, would be wrong for it.)
 */
export function needsRedisclosureNotice(labels: readonly Coding[]): boolean {
  return hasLabel(labels, PART2);
}

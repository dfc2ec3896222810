import type { WriteRule } from '@confide/store';
import { appointmentRule } from './appointment-rule.ts';
import { noteReleaseRule } from './note-release-rule.ts';
import { noteRule } from './note-rule.ts';

/** The domain rules every write goes through (the store runs them in the write's transaction). */
export const domainWriteRules: readonly WriteRule[] = [noteRule, appointmentRule, noteReleaseRule];

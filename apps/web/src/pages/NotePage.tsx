import { Alert, Anchor, Button, Group, Paper, Stack, Text, Textarea, Title } from '@mantine/core';
import type { Composition, Encounter } from '@medplum/fhirtypes';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ErrorNotice, PageLoader } from '../components/PageState.tsx';
import { statusBadge } from '../chart/NotesSection.tsx';
import { FhirError } from '../lib/fhir-client.ts';
import { dateText, isoDate, timeText } from '../lib/format.ts';
import { Link, useRouter } from '../lib/router.tsx';
import { useSession } from '../lib/session.tsx';
import { useAsync } from '../lib/use-async.ts';
import { cosigned, divToText, draftNote, isAuthor, signed, templateOfNote, withSectionText } from '../notes/composition.ts';
import { templateOf } from '../notes/templates.ts';
import type { FhirClient } from '../lib/fhir-client.ts';

const AUTOSAVE_MS = 1200;

/** Today's visit for a note: an ambulatory Encounter with the writer as participant (created once, on the first save). */
async function todaysEncounter(fhir: FhirClient, patientId: string, practitioner: string): Promise<Encounter> {
  return fhir.create<Encounter>({
    resourceType: 'Encounter',
    status: 'in-progress',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB', display: 'ambulatory' },
    type: [{ text: 'Office visit' }],
    subject: { reference: `Patient/${patientId}` },
    participant: [{ individual: { reference: practitioner } }],
    period: { start: new Date().toISOString() },
  });
}

export default function NotePage({ patientId, noteId }: { patientId: string; noteId: string }) {
  const { fhir, tokens } = useSession();
  const { search } = useRouter();
  const isNew = noteId === 'new';
  const appendsTo = search.get('appends');
  const loaded = useAsync(async () => {
    if (!isNew) return fhir.read<Composition>('Composition', noteId);
    const target = appendsTo ? await fhir.read<Composition>('Composition', appendsTo) : undefined;
    const template = (target && templateOfNote(target)) ?? templateOf(search.get('template') ?? 'soap');
    if (!template) throw new Error('Unknown note template');
    if (!tokens.fhirUser?.startsWith('Practitioner/')) throw new Error('Only clinicians with a practitioner record can write notes.');
    const enc = search.get('encounter') ?? target?.encounter?.reference?.split('/')[1];
    return draftNote({ template, patientId, author: tokens.fhirUser, encounterId: enc && enc !== 'new' ? enc : undefined, appendsTo: target });
  }, [noteId]);

  if (loaded.error) return <ErrorNotice error={loaded.error} onRetry={loaded.reload} />;
  if (!loaded.data) return <PageLoader label="Loading the note" />;
  return <NoteEditor key={loaded.data.id ?? 'new'} initial={loaded.data} patientId={patientId} newEncounter={isNew && search.get('encounter') === 'new'} />;
}

function NoteEditor({ initial, patientId, newEncounter }: { initial: Composition; patientId: string; newEncounter: boolean }) {
  const { fhir, tokens } = useSession();
  const { navigate } = useRouter();
  const [note, setNote] = useState(initial);
  const [texts, setTexts] = useState(() => (initial.section ?? []).map((s) => divToText(s.text?.div)));
  const [saveState, setSaveState] = useState<{ kind: 'idle' | 'dirty' | 'saving' | 'saved' | 'error'; at?: string; message?: string }>({ kind: initial.id ? 'saved' : 'idle', at: initial.meta?.lastUpdated });
  const saving = useRef<Promise<Composition | undefined> | undefined>(undefined);
  const latest = useRef({ note, texts });
  latest.current = { note, texts };
  const editable = note.status === 'preliminary' && isAuthor(note, tokens.fhirUser);
  const template = templateOfNote(note);

  // One save at a time; each PUT carries the version it read (If-Match), so a change elsewhere is a 412, not lost.
  const save = useCallback(async (): Promise<Composition | undefined> => {
    if (saving.current) await saving.current;
    const run = (async () => {
      let c = latest.current.note;
      const snapshot = latest.current.texts;
      snapshot.forEach((t, i) => (c = withSectionText(c, i, t)));
      setSaveState({ kind: 'saving' });
      try {
        if (!c.id && newEncounter && !c.encounter && tokens.fhirUser) {
          const enc = await todaysEncounter(fhir, patientId, tokens.fhirUser);
          c = { ...c, encounter: { reference: `Encounter/${enc.id}` } };
        }
        const stored = c.id ? await fhir.update(c) : await fhir.create(c);
        if (!c.id) window.history.replaceState(null, '', `/patients/${patientId}/notes/${stored.id}`);
        setNote(stored);
        latest.current.note = stored;
        // Typing during the save leaves the note dirty, so the next autosave picks it up.
        setSaveState(latest.current.texts === snapshot ? { kind: 'saved', at: stored.meta?.lastUpdated } : { kind: 'dirty' });
        return stored;
      } catch (err) {
        const message =
          err instanceof FhirError && err.status === 412 ? 'This note was changed elsewhere. Reload it to see the latest version.' : err instanceof Error ? err.message : String(err);
        setSaveState({ kind: 'error', message });
        return undefined;
      }
    })();
    saving.current = run;
    try {
      return await run;
    } finally {
      if (saving.current === run) saving.current = undefined;
    }
  }, [fhir, patientId, newEncounter, tokens.fhirUser]);

  useEffect(() => {
    if (saveState.kind !== 'dirty') return;
    const t = window.setTimeout(() => void save(), AUTOSAVE_MS);
    return () => window.clearTimeout(t);
  }, [texts, saveState.kind, save]);

  const edit = (i: number, value: string) => {
    setTexts((ts) => ts.map((t, j) => (j === i ? value : t)));
    setSaveState({ kind: 'dirty' });
  };

  const [actionError, setActionError] = useState<string>();
  const act = async (f: (c: Composition) => Composition) => {
    setActionError(undefined);
    const current = editable ? await save() : note;
    if (!current) return;
    try {
      const stored = await fhir.update(f(current));
      setNote(stored);
      setSaveState({ kind: 'saved', at: stored.meta?.lastUpdated });
    } catch (err) {
      setActionError(err instanceof Error ? err.message : String(err));
    }
  };

  const legal = note.attester?.find((a) => a.mode === 'legal');
  const cosigners = note.attester?.filter((a) => a.mode === 'professional') ?? [];
  const canCosign = note.status === 'final' && !!tokens.fhirUser && !isAuthor(note, tokens.fhirUser) && !cosigners.some((a) => a.party?.reference === tokens.fhirUser);
  const appends = note.relatesTo?.find((r) => r.code === 'appends')?.targetReference?.reference;

  return (
    <Stack maw={900}>
      <Anchor component={Link} href={`/patients/${patientId}/notes`} size="sm">
        ← Back to the chart's notes
      </Anchor>
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={2}>{note.title}</Title>
          <Group gap="xs">
            {statusBadge(note)}
            <Text size="sm" c="dimmed">
              {dateText(note.date, true)}
              {note.encounter?.reference && ' · linked to a visit'}
            </Text>
          </Group>
          {appends && (
            <Text size="sm">
              Addendum to <Link href={`/patients/${patientId}/notes/${appends.split('/')[1]}`}>the signed note</Link>
            </Text>
          )}
        </div>
        <Text size="sm" role="status" aria-live="polite" data-testid="save-state">
          {saveState.kind === 'saving' && 'Saving…'}
          {saveState.kind === 'dirty' && 'Unsaved changes'}
          {saveState.kind === 'saved' && saveState.at && `Saved at ${timeText(saveState.at)}`}
        </Text>
      </Group>
      {template?.code === 'psychotherapy' && (
        <Alert color="grape" role="note">
          Psychotherapy notes are kept apart from the medical record: only you (and those you delegate) see them.
        </Alert>
      )}
      {saveState.kind === 'error' && (
        <Alert color="red" role="alert">
          {saveState.message}
        </Alert>
      )}
      {actionError && (
        <Alert color="red" role="alert">
          {actionError}
        </Alert>
      )}
      {(note.section ?? []).map((s, i) => {
        const prompt = template?.sections.find((d) => d.title === s.title)?.prompt;
        return editable ? (
          <Textarea key={i} label={s.title} description={prompt} autosize minRows={3} value={texts[i] ?? ''} onChange={(e) => edit(i, e.currentTarget.value)} />
        ) : (
          <Paper key={i} withBorder p="sm" component="section" aria-label={s.title}>
            <Title order={3} size="h5">
              {s.title}
            </Title>
            <Text style={{ whiteSpace: 'pre-wrap' }}>{texts[i] || '—'}</Text>
          </Paper>
        );
      })}
      {legal && (
        <Text size="sm">
          Signed {dateText(legal.time, true)}
          {cosigners.map((c) => ` · co-signed ${dateText(c.time, true)}`)}
        </Text>
      )}
      <Group>
        {editable && (
          <Button color="teal" onClick={() => void act((c) => signed(c, tokens.fhirUser!))}>
            Sign note
          </Button>
        )}
        {note.status === 'final' && !appends && (
          <Button variant="default" onClick={() => navigate(`/patients/${patientId}/notes/new?appends=${note.id}`)}>
            Add addendum
          </Button>
        )}
        {canCosign && (
          <Button variant="default" onClick={() => void act((c) => cosigned(c, tokens.fhirUser!))}>
            Co-sign
          </Button>
        )}
      </Group>
      <Text size="xs" c="dimmed">
        {editable ? 'Drafts save as you type. Signing locks the note; changes after that are addenda.' : `Read-only · ${isoDate(new Date(note.date ?? Date.now()))}`}
      </Text>
    </Stack>
  );
}

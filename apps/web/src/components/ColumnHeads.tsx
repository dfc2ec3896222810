import { Table, VisuallyHidden } from '@mantine/core';

/** A table's header row; `actions` adds a last column of buttons whose heading only screen readers hear. */
export function ColumnHeads({ columns, actions = false }: { columns: string[]; actions?: boolean }) {
  return (
    <Table.Thead>
      <Table.Tr>
        {columns.map((c) => (
          <Table.Th key={c}>{c}</Table.Th>
        ))}
        {actions && (
          <Table.Th>
            <VisuallyHidden>Actions</VisuallyHidden>
          </Table.Th>
        )}
      </Table.Tr>
    </Table.Thead>
  );
}

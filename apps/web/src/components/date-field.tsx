import { DatePicker, useDatepicker } from '@navikt/ds-react';

/** `YYYY-MM-DD` of a calendar day picked in the browser (its local date, which is the Norwegian one here). */
function toLocalDate(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** The calendar day `YYYY-MM-DD` as a Date at local midnight (what the date picker works in). */
export function dateOf(value: string): Date | undefined {
  return fromLocalDate(value);
}

function fromLocalDate(value: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  return m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : undefined;
}

/**
 * Aksel's date picker as a field of `YYYY-MM-DD` text: typed as dd.mm.åååå or picked in the
 * calendar. `onChange('')` for an empty field, `onChange(null)` for text that is not a date.
 */
export function DateField({ id, label, description, value, onChange, error, latest }: { id: string; label: string; description?: string; value: string; onChange: (value: string | null) => void; error?: string | undefined; latest?: Date | undefined }) {
  const defaultSelected = fromLocalDate(value);
  const { datepickerProps, inputProps } = useDatepicker({
    ...(defaultSelected ? { defaultSelected } : {}),
    ...(latest ? { toDate: latest } : {}),
    onDateChange: (d) => onChange(d ? toLocalDate(d) : ''),
    onValidate: (v) => {
      if (!v.isEmpty && !v.isValidDate) onChange(null);
    },
  });
  return (
    <DatePicker {...datepickerProps}>
      <DatePicker.Input {...inputProps} id={id} label={label} description={description} error={error} />
    </DatePicker>
  );
}

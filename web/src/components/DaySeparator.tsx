// "Today", "Yesterday" or the date, drawn in the top margin of a day's first row: the
// list measures a row with its margins, so the separator's space is counted.
export function DaySeparator({ day }: { day: string }) {
  return (
    <div class="day-sep" role="separator" aria-label={day} data-testid="day-separator">
      <span>{day}</span>
    </div>
  );
}

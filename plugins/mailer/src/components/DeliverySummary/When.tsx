/** A point in time in the reader's locale, with the exact instant as a tooltip. */
export function When(props: { iso: string }) {
  const date = new Date(props.iso);
  if (Number.isNaN(date.getTime())) return <>{props.iso}</>;
  return (
    <time dateTime={props.iso} title={date.toISOString()}>
      {date.toLocaleString(undefined, {
        dateStyle: 'medium',
        timeStyle: 'short',
      })}
    </time>
  );
}

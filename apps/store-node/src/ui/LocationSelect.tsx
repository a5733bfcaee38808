import { useNode, useValue } from './hooks.js';

/** A select of the other locations this node knows (pulled from the hub), or a text field when none. */
export const LocationSelect = ({
  id,
  label,
  value,
  onChange,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (location: string) => void;
}) => {
  const node = useNode();
  const locations = [...useValue(node.data.locations$).values()].filter((l) => l.location !== node.identity.location);
  return (
    <div class="form-row">
      <label for={id}>{label}</label>
      {locations.length > 0 ? (
        <select id={id} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
          <option value="">Choose…</option>
          {locations.map((l) => (
            <option key={l.location} value={l.location}>
              {l.name} ({l.location}, {l.kind})
            </option>
          ))}
        </select>
      ) : (
        <input id={id} type="text" value={value} onInput={(e) => onChange(e.currentTarget.value.trim())} />
      )}
    </div>
  );
};

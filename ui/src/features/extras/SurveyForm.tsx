// The answer form of a survey: one control per question kind (choice, choices, 1–5 scale, text,
// stars for each movie); only the questions answered are sent.
import { useState } from 'react';
import { Choice } from '../../components/Choice.tsx';
import { SubmitButton, TextAreaField } from '../../components/Form.tsx';
import { StarRating } from '../../components/Stars.tsx';
import type { Answers, MemberSurvey, Question } from './api.ts';

type Value = Answers[string];

export function SurveyForm({
  survey,
  busy,
  onSubmit,
}: {
  survey: MemberSurvey;
  busy: boolean;
  onSubmit: (answers: Answers) => void;
}) {
  const [answers, setAnswers] = useState<Answers>(survey.answers ?? {});
  const set = (id: string, value: Value | undefined) =>
    setAnswers((current) => {
      const next = { ...current };
      if (value === undefined) delete next[id];
      else next[id] = value;
      return next;
    });
  return (
    <form
      className="card form"
      aria-label="Survey questions"
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit(answers);
      }}
    >
      {survey.questions.map((question) => (
        <fieldset key={question.id} className="survey-question">
          <legend>{question.prompt}</legend>
          <QuestionControl
            question={question}
            titles={survey.movieTitles}
            value={answers[question.id]}
            onChange={(value) => set(question.id, value)}
          />
        </fieldset>
      ))}
      <SubmitButton busy={busy} busyLabel="Saving…">
        Save my answers
      </SubmitButton>
    </form>
  );
}

function QuestionControl({
  question,
  titles,
  value,
  onChange,
}: {
  question: Question;
  titles: Record<string, string>;
  value: Value | undefined;
  onChange: (value: Value | undefined) => void;
}) {
  const name = `question-${question.id}`;
  switch (question.kind) {
    case 'single':
      return (question.options ?? []).map((label, index) => (
        <Choice
          key={label}
          type="radio"
          name={name}
          checked={value === index}
          onChange={() => onChange(index)}
          label={label}
        />
      ));
    case 'multiple': {
      const chosen = Array.isArray(value) ? value : [];
      return (question.options ?? []).map((label, index) => (
        <Choice
          key={label}
          type="checkbox"
          name={name}
          checked={chosen.includes(index)}
          onChange={(checked) => {
            const next = checked ? [...chosen, index] : chosen.filter((i) => i !== index);
            onChange(next.length > 0 ? next.sort() : undefined);
          }}
          label={label}
        />
      ));
    }
    case 'scale':
      return (
        <div className="scale-choices">
          {[1, 2, 3, 4, 5].map((point) => (
            <Choice
              key={point}
              type="radio"
              name={name}
              checked={value === point}
              onChange={() => onChange(point)}
              label={String(point)}
            />
          ))}
        </div>
      );
    case 'text':
      return (
        <TextAreaField
          label="Your answer"
          rows={3}
          maxLength={2000}
          value={typeof value === 'string' ? value : ''}
          onChange={(text) => onChange(text.trim() ? text : undefined)}
        />
      );
    case 'movies': {
      const ratings = typeof value === 'object' && !Array.isArray(value) ? value : {};
      return (question.movieIds ?? []).map((movieId) => {
        const title = titles[String(movieId)] ?? `Movie #${movieId}`;
        return (
          <div key={movieId} className="survey-movie">
            <a href={`/movies/${movieId}`} target="_blank" rel="noreferrer">
              {title}
            </a>
            <StarRating
              value={ratings[String(movieId)] ?? null}
              label={`Your rating of ${title}`}
              onRate={(rating) => onChange({ ...ratings, [String(movieId)]: rating })}
            />
          </div>
        );
      });
    }
  }
}

/**
 * The words of the invitee's reschedule and cancel pages (SPEC 6.6), in every page language. Kept
 * apart from the main catalogues so the booking page's own words can change independently.
 */
import type { Language, Params } from './index.ts';

const en = {
  reschedule_title: 'Reschedule: {event}',
  reschedule_lead: 'Choose a new time for',
  current_booking: 'Your current booking',
  reschedule_explain:
    'Your current booking stays in place until you choose a new time. The next page shows the times available now.',
  reschedule_button: 'Choose a new time',
  keep_booking: 'Keep my booking',
  cancel_title: 'Cancel: {event}',
  cancel_lead: 'Cancel your booking for',
  cancel_explain:
    'Cancelling removes every appointment below from the calendars and tells the organiser. This cannot be undone.',
  cancel_reason_label: 'Reason (optional, at most 500 characters)',
  cancel_button: 'Yes, cancel my booking',
  cancelled_title: 'Your booking has been cancelled',
  cancelled_text: 'The appointments have been removed from the calendars and the organiser has been told.',
  cutoff_title: 'It is too late to change this booking online',
  cutoff_text:
    'Changes close {cutoff} before the first appointment, which starts on {start}. Please contact the organiser.',
  not_allowed_title: 'This booking cannot be changed here',
  not_allowed_text: 'Please contact the organiser if you need to change it.',
  no_times_title: 'No other times are available right now',
  no_times_text: 'Your booking has not been changed. Please try again later, or contact the organiser.',
  rescheduling_notice:
    'You are choosing a new time. Your current booking ({current}) stays in place until you pick one.',
  change_title: 'Need to change something?',
  reschedule_link: 'Reschedule',
  cancel_link: 'Cancel this booking',
  reason_too_long: 'The reason can be at most 500 characters. Nothing was cancelled.',
  back_to_booking: 'Back to your booking',
};

export type ChangeKey = keyof typeof en;
type ChangeCatalogue = { readonly [K in ChangeKey]: string };

const de: ChangeCatalogue = {
  reschedule_title: 'Verschieben: {event}',
  reschedule_lead: 'Wählen Sie einen neuen Termin für',
  current_booking: 'Ihre aktuelle Buchung',
  reschedule_explain:
    'Ihre aktuelle Buchung bleibt bestehen, bis Sie einen neuen Termin wählen. Die nächste Seite zeigt die jetzt freien Termine.',
  reschedule_button: 'Neuen Termin wählen',
  keep_booking: 'Buchung behalten',
  cancel_title: 'Absagen: {event}',
  cancel_lead: 'Sagen Sie Ihre Buchung ab für',
  cancel_explain:
    'Die Absage entfernt alle unten genannten Termine aus den Kalendern und benachrichtigt die Organisation. Das lässt sich nicht rückgängig machen.',
  cancel_reason_label: 'Grund (freiwillig, höchstens 500 Zeichen)',
  cancel_button: 'Ja, Buchung absagen',
  cancelled_title: 'Ihre Buchung wurde abgesagt',
  cancelled_text: 'Die Termine wurden aus den Kalendern entfernt und die Organisation wurde benachrichtigt.',
  cutoff_title: 'Diese Buchung kann online nicht mehr geändert werden',
  cutoff_text:
    'Änderungen sind bis {cutoff} vor dem ersten Termin möglich, der am {start} beginnt. Bitte wenden Sie sich an die Organisation.',
  not_allowed_title: 'Diese Buchung kann hier nicht geändert werden',
  not_allowed_text: 'Bitte wenden Sie sich an die Organisation, wenn Sie etwas ändern möchten.',
  no_times_title: 'Zurzeit sind keine anderen Termine frei',
  no_times_text:
    'Ihre Buchung wurde nicht geändert. Bitte versuchen Sie es später erneut oder wenden Sie sich an die Organisation.',
  rescheduling_notice:
    'Sie wählen einen neuen Termin. Ihre aktuelle Buchung ({current}) bleibt bestehen, bis Sie einen auswählen.',
  change_title: 'Möchten Sie etwas ändern?',
  reschedule_link: 'Verschieben',
  cancel_link: 'Buchung absagen',
  reason_too_long: 'Der Grund darf höchstens 500 Zeichen lang sein. Es wurde nichts abgesagt.',
  back_to_booking: 'Zurück zu Ihrer Buchung',
};

const fr: ChangeCatalogue = {
  reschedule_title: 'Reporter : {event}',
  reschedule_lead: 'Choisissez un nouvel horaire pour',
  current_booking: 'Votre réservation actuelle',
  reschedule_explain:
    'Votre réservation actuelle reste valable jusqu’à ce que vous choisissiez un nouvel horaire. La page suivante affiche les horaires disponibles.',
  reschedule_button: 'Choisir un nouvel horaire',
  keep_booking: 'Garder ma réservation',
  cancel_title: 'Annuler : {event}',
  cancel_lead: 'Annuler votre réservation pour',
  cancel_explain:
    'L’annulation retire des agendas tous les rendez-vous ci-dessous et prévient l’organisateur. Elle est définitive.',
  cancel_reason_label: 'Motif (facultatif, 500 caractères au plus)',
  cancel_button: 'Oui, annuler ma réservation',
  cancelled_title: 'Votre réservation a été annulée',
  cancelled_text: 'Les rendez-vous ont été retirés des agendas et l’organisateur a été prévenu.',
  cutoff_title: 'Il est trop tard pour modifier cette réservation en ligne',
  cutoff_text:
    'Les modifications sont possibles jusqu’à {cutoff} avant le premier rendez-vous, qui commence le {start}. Veuillez contacter l’organisateur.',
  not_allowed_title: 'Cette réservation ne peut pas être modifiée ici',
  not_allowed_text: 'Contactez l’organisateur si vous devez la modifier.',
  no_times_title: 'Aucun autre horaire n’est disponible pour le moment',
  no_times_text: 'Votre réservation n’a pas été modifiée. Réessayez plus tard ou contactez l’organisateur.',
  rescheduling_notice:
    'Vous choisissez un nouvel horaire. Votre réservation actuelle ({current}) reste valable jusqu’à votre choix.',
  change_title: 'Besoin de modifier quelque chose ?',
  reschedule_link: 'Reporter',
  cancel_link: 'Annuler cette réservation',
  reason_too_long: 'Le motif ne peut dépasser 500 caractères. Rien n’a été annulé.',
  back_to_booking: 'Retour à votre réservation',
};

const es: ChangeCatalogue = {
  reschedule_title: 'Cambiar la hora: {event}',
  reschedule_lead: 'Elija una nueva hora para',
  current_booking: 'Su reserva actual',
  reschedule_explain:
    'Su reserva actual se mantiene hasta que elija una nueva hora. La página siguiente muestra las horas disponibles ahora.',
  reschedule_button: 'Elegir una nueva hora',
  keep_booking: 'Mantener mi reserva',
  cancel_title: 'Cancelar: {event}',
  cancel_lead: 'Cancelar su reserva para',
  cancel_explain:
    'Al cancelar se eliminan de los calendarios todas las citas de abajo y se avisa al organizador. No se puede deshacer.',
  cancel_reason_label: 'Motivo (opcional, 500 caracteres como máximo)',
  cancel_button: 'Sí, cancelar mi reserva',
  cancelled_title: 'Su reserva ha sido cancelada',
  cancelled_text: 'Las citas se han eliminado de los calendarios y se ha avisado al organizador.',
  cutoff_title: 'Ya no se puede cambiar esta reserva en línea',
  cutoff_text:
    'Los cambios se cierran {cutoff} antes de la primera cita, que empieza el {start}. Póngase en contacto con el organizador.',
  not_allowed_title: 'Esta reserva no se puede cambiar aquí',
  not_allowed_text: 'Póngase en contacto con el organizador si necesita cambiarla.',
  no_times_title: 'No hay otras horas disponibles en este momento',
  no_times_text: 'Su reserva no ha cambiado. Inténtelo más tarde o póngase en contacto con el organizador.',
  rescheduling_notice:
    'Está eligiendo una nueva hora. Su reserva actual ({current}) se mantiene hasta que elija una.',
  change_title: '¿Necesita cambiar algo?',
  reschedule_link: 'Cambiar la hora',
  cancel_link: 'Cancelar esta reserva',
  reason_too_long: 'El motivo puede tener como máximo 500 caracteres. No se ha cancelado nada.',
  back_to_booking: 'Volver a su reserva',
};

const nl: ChangeCatalogue = {
  reschedule_title: 'Verzetten: {event}',
  reschedule_lead: 'Kies een nieuwe tijd voor',
  current_booking: 'Uw huidige boeking',
  reschedule_explain:
    'Uw huidige boeking blijft staan tot u een nieuwe tijd kiest. De volgende pagina toont de tijden die nu vrij zijn.',
  reschedule_button: 'Nieuwe tijd kiezen',
  keep_booking: 'Boeking houden',
  cancel_title: 'Annuleren: {event}',
  cancel_lead: 'Uw boeking annuleren voor',
  cancel_explain:
    'Annuleren haalt alle afspraken hieronder uit de agenda’s en laat het de organisator weten. Dit kan niet ongedaan worden gemaakt.',
  cancel_reason_label: 'Reden (optioneel, hoogstens 500 tekens)',
  cancel_button: 'Ja, mijn boeking annuleren',
  cancelled_title: 'Uw boeking is geannuleerd',
  cancelled_text: 'De afspraken zijn uit de agenda’s gehaald en de organisator is op de hoogte gebracht.',
  cutoff_title: 'Deze boeking kan niet meer online worden gewijzigd',
  cutoff_text:
    'Wijzigen kan tot {cutoff} voor de eerste afspraak, die begint op {start}. Neem contact op met de organisator.',
  not_allowed_title: 'Deze boeking kan hier niet worden gewijzigd',
  not_allowed_text: 'Neem contact op met de organisator als u iets wilt wijzigen.',
  no_times_title: 'Er zijn nu geen andere tijden vrij',
  no_times_text:
    'Uw boeking is niet gewijzigd. Probeer het later opnieuw of neem contact op met de organisator.',
  rescheduling_notice:
    'U kiest een nieuwe tijd. Uw huidige boeking ({current}) blijft staan tot u er een kiest.',
  change_title: 'Iets wijzigen?',
  reschedule_link: 'Verzetten',
  cancel_link: 'Deze boeking annuleren',
  reason_too_long: 'De reden mag hoogstens 500 tekens lang zijn. Er is niets geannuleerd.',
  back_to_booking: 'Terug naar uw boeking',
};

const ja: ChangeCatalogue = {
  reschedule_title: '日時の変更: {event}',
  reschedule_lead: '新しい日時を選んでください:',
  current_booking: '現在の予約',
  reschedule_explain:
    '新しい日時を選ぶまで、現在の予約はそのまま残ります。次のページに現在空いている日時が表示されます。',
  reschedule_button: '新しい日時を選ぶ',
  keep_booking: '予約を変更しない',
  cancel_title: 'キャンセル: {event}',
  cancel_lead: '予約をキャンセルします:',
  cancel_explain:
    'キャンセルすると、以下のすべての予定がカレンダーから削除され、主催者に通知されます。元に戻すことはできません。',
  cancel_reason_label: '理由(任意、500文字以内)',
  cancel_button: 'はい、予約をキャンセルします',
  cancelled_title: '予約はキャンセルされました',
  cancelled_text: '予定はカレンダーから削除され、主催者に通知されました。',
  cutoff_title: 'この予約はオンラインでは変更できなくなりました',
  cutoff_text: '変更は最初の予定({start}開始)の{cutoff}前までです。主催者にお問い合わせください。',
  not_allowed_title: 'この予約はここでは変更できません',
  not_allowed_text: '変更が必要な場合は主催者にお問い合わせください。',
  no_times_title: '現在、ほかに空いている日時はありません',
  no_times_text: '予約は変更されていません。後でもう一度お試しいただくか、主催者にお問い合わせください。',
  rescheduling_notice: '新しい日時を選んでいます。選ぶまで現在の予約({current})はそのまま残ります。',
  change_title: '変更が必要ですか?',
  reschedule_link: '日時を変更する',
  cancel_link: 'この予約をキャンセルする',
  reason_too_long: '理由は500文字以内で入力してください。キャンセルはされていません。',
  back_to_booking: '予約に戻る',
};

export const CHANGE_CATALOGUES: Readonly<Record<Language, ChangeCatalogue>> = { en, de, fr, es, nl, ja };

export type TranslateChange = (key: ChangeKey, params?: Params) => string;

export function changeTranslator(language: Language): TranslateChange {
  const catalogue = CHANGE_CATALOGUES[language];
  return (key, params) =>
    params === undefined
      ? catalogue[key]
      : catalogue[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
          Object.hasOwn(params, name) ? String(params[name]) : whole,
        );
}

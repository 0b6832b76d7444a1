/**
 * The words of the authorization page (SPEC 8b), in every page language: where a person connects
 * their calendar to an application. Kept apart from the booking page's catalogues.
 */
import { fill, type Language, type Params } from './index.ts';

const en = {
  title: 'Connect your calendar',
  lead: '{app} would like to see when you are busy, so it only offers times that suit you.',
  lead_plain: 'This application would like to see when you are busy, so it only offers times that suit you.',
  choose_title: 'Where is your calendar?',
  caldav_name: 'CalDAV server',
  caldav_hint: 'iCloud, Fastmail, Nextcloud and other CalDAV servers',
  ics_name: 'Calendar feed (ICS)',
  ics_hint: 'A read-only link to a calendar, ending in .ics or starting with webcal://',
  caldav_title: 'Connect a CalDAV calendar',
  ics_title: 'Connect a calendar feed',
  server_label: 'Server address',
  server_help:
    'iCloud: https://caldav.icloud.com/ · Fastmail: https://caldav.fastmail.com/ · Nextcloud: https://your-server/remote.php/dav/',
  username_label: 'User name',
  username_help: 'Usually your e-mail address.',
  password_label: 'App password',
  password_help: 'Create an app-specific password in your account settings; your main password may not work.',
  feed_label: 'Feed address',
  feed_help: 'Only busy times are read. Nothing is written into a feed.',
  connect: 'Connect',
  cancel: 'Cancel',
  other_provider: 'Choose another kind of calendar',
  privacy: 'Your password is stored encrypted and is never shown to {app}.',
  privacy_plain: 'Your password is stored encrypted and is never shown to the application.',
  errors_title: 'Please check the form',
  missing_server: 'Enter the address of your CalDAV server.',
  missing_username: 'Enter your user name.',
  missing_password: 'Enter your app password.',
  missing_feed: 'Enter the address of the feed.',
  not_url: 'Enter a full address starting with https://',
  auth_failed:
    'The server did not accept this user name and password. Check them, or create a new app password.',
  forbidden: 'The server accepted the login but does not let this user list calendars.',
  server_unreachable: 'No CalDAV server could be reached at this address. Check the address and try again.',
  no_calendars: 'This account has no calendars with events.',
  feed_unreachable: 'No calendar feed could be read at this address. Check the address and try again.',
  feed_invalid: 'This address does not serve a calendar feed (ICS).',
  refused_title: 'This link cannot be used',
  unknown_client_text:
    'The application that sent you here is not known to this server. Nothing was connected.',
  unregistered_text:
    'The application that sent you here did not register the address it asked to return to, so you are not sent anywhere. Nothing was connected.',
  expired_title: 'Please start again',
  expired_text: 'This form has expired. Go back to the application and start connecting your calendar again.',
  busy_title: 'Something went wrong',
  busy_text: 'Your calendar could not be connected just now. Please try again.',
  google_name: 'Google Calendar',
  google_hint: 'Gmail and Google Workspace',
  office365_name: 'Microsoft 365',
  office365_hint: 'Outlook and Exchange Online calendars',
  provider_failed: '{provider} could not be reached, or it did not accept the sign-in. Please try again.',
  provider_hint: 'You will sign in at {provider}; your password is never shown to rtseq or the application.',
};

export type AuthorizeKey = keyof typeof en;
type AuthorizeCatalogue = { readonly [K in AuthorizeKey]: string };

const de: AuthorizeCatalogue = {
  title: 'Kalender verbinden',
  lead: '{app} möchte sehen, wann Sie beschäftigt sind, um Ihnen nur passende Termine anzubieten.',
  lead_plain:
    'Diese Anwendung möchte sehen, wann Sie beschäftigt sind, um Ihnen nur passende Termine anzubieten.',
  choose_title: 'Wo ist Ihr Kalender?',
  caldav_name: 'CalDAV-Server',
  caldav_hint: 'iCloud, Fastmail, Nextcloud und andere CalDAV-Server',
  ics_name: 'Kalender-Feed (ICS)',
  ics_hint: 'Ein Lese-Link zu einem Kalender, endet auf .ics oder beginnt mit webcal://',
  caldav_title: 'CalDAV-Kalender verbinden',
  ics_title: 'Kalender-Feed verbinden',
  server_label: 'Serveradresse',
  server_help:
    'iCloud: https://caldav.icloud.com/ · Fastmail: https://caldav.fastmail.com/ · Nextcloud: https://ihr-server/remote.php/dav/',
  username_label: 'Benutzername',
  username_help: 'Meist Ihre E-Mail-Adresse.',
  password_label: 'App-Passwort',
  password_help:
    'Erstellen Sie in Ihren Kontoeinstellungen ein App-Passwort; Ihr Hauptpasswort funktioniert eventuell nicht.',
  feed_label: 'Feed-Adresse',
  feed_help: 'Es werden nur belegte Zeiten gelesen. In einen Feed wird nichts geschrieben.',
  connect: 'Verbinden',
  cancel: 'Abbrechen',
  other_provider: 'Andere Kalenderart wählen',
  privacy: 'Ihr Passwort wird verschlüsselt gespeichert und {app} nie gezeigt.',
  privacy_plain: 'Ihr Passwort wird verschlüsselt gespeichert und der Anwendung nie gezeigt.',
  errors_title: 'Bitte prüfen Sie das Formular',
  missing_server: 'Geben Sie die Adresse Ihres CalDAV-Servers ein.',
  missing_username: 'Geben Sie Ihren Benutzernamen ein.',
  missing_password: 'Geben Sie Ihr App-Passwort ein.',
  missing_feed: 'Geben Sie die Adresse des Feeds ein.',
  not_url: 'Geben Sie eine vollständige Adresse ein, die mit https:// beginnt.',
  auth_failed:
    'Der Server hat diesen Benutzernamen und dieses Passwort nicht akzeptiert. Prüfen Sie beides oder erstellen Sie ein neues App-Passwort.',
  forbidden: 'Der Server hat die Anmeldung akzeptiert, lässt diesen Benutzer aber keine Kalender auflisten.',
  server_unreachable:
    'Unter dieser Adresse war kein CalDAV-Server erreichbar. Prüfen Sie die Adresse und versuchen Sie es erneut.',
  no_calendars: 'Dieses Konto hat keine Kalender mit Terminen.',
  feed_unreachable:
    'Unter dieser Adresse konnte kein Kalender-Feed gelesen werden. Prüfen Sie die Adresse und versuchen Sie es erneut.',
  feed_invalid: 'Diese Adresse liefert keinen Kalender-Feed (ICS).',
  refused_title: 'Dieser Link kann nicht verwendet werden',
  unknown_client_text:
    'Die Anwendung, die Sie hierher geschickt hat, ist diesem Server nicht bekannt. Es wurde nichts verbunden.',
  unregistered_text:
    'Die Anwendung, die Sie hierher geschickt hat, hat die Rücksprungadresse nicht registriert, daher werden Sie nicht weitergeleitet. Es wurde nichts verbunden.',
  expired_title: 'Bitte beginnen Sie erneut',
  expired_text:
    'Dieses Formular ist abgelaufen. Gehen Sie zurück zur Anwendung und beginnen Sie erneut, Ihren Kalender zu verbinden.',
  busy_title: 'Etwas ist schiefgelaufen',
  busy_text: 'Ihr Kalender konnte gerade nicht verbunden werden. Bitte versuchen Sie es erneut.',
  google_name: 'Google Kalender',
  google_hint: 'Gmail und Google Workspace',
  office365_name: 'Microsoft 365',
  office365_hint: 'Outlook- und Exchange-Online-Kalender',
  provider_failed:
    '{provider} war nicht erreichbar oder hat die Anmeldung nicht angenommen. Bitte versuchen Sie es erneut.',
  provider_hint: 'Sie melden sich bei {provider} an; Ihr Passwort sehen weder rtseq noch die Anwendung.',
};

const fr: AuthorizeCatalogue = {
  title: 'Connecter votre agenda',
  lead: '{app} souhaite savoir quand vous êtes occupé, pour ne vous proposer que des horaires qui vous conviennent.',
  lead_plain:
    'Cette application souhaite savoir quand vous êtes occupé, pour ne vous proposer que des horaires qui vous conviennent.',
  choose_title: 'Où se trouve votre agenda ?',
  caldav_name: 'Serveur CalDAV',
  caldav_hint: 'iCloud, Fastmail, Nextcloud et autres serveurs CalDAV',
  ics_name: 'Flux d’agenda (ICS)',
  ics_hint: 'Un lien en lecture seule vers un agenda, finissant par .ics ou commençant par webcal://',
  caldav_title: 'Connecter un agenda CalDAV',
  ics_title: 'Connecter un flux d’agenda',
  server_label: 'Adresse du serveur',
  server_help:
    'iCloud : https://caldav.icloud.com/ · Fastmail : https://caldav.fastmail.com/ · Nextcloud : https://votre-serveur/remote.php/dav/',
  username_label: 'Nom d’utilisateur',
  username_help: 'En général votre adresse e-mail.',
  password_label: 'Mot de passe d’application',
  password_help:
    'Créez un mot de passe propre à l’application dans les réglages de votre compte ; votre mot de passe principal peut ne pas fonctionner.',
  feed_label: 'Adresse du flux',
  feed_help: 'Seules les périodes occupées sont lues. Rien n’est écrit dans un flux.',
  connect: 'Connecter',
  cancel: 'Annuler',
  other_provider: 'Choisir un autre type d’agenda',
  privacy: 'Votre mot de passe est stocké chiffré et n’est jamais montré à {app}.',
  privacy_plain: 'Votre mot de passe est stocké chiffré et n’est jamais montré à l’application.',
  errors_title: 'Veuillez vérifier le formulaire',
  missing_server: 'Saisissez l’adresse de votre serveur CalDAV.',
  missing_username: 'Saisissez votre nom d’utilisateur.',
  missing_password: 'Saisissez votre mot de passe d’application.',
  missing_feed: 'Saisissez l’adresse du flux.',
  not_url: 'Saisissez une adresse complète commençant par https://',
  auth_failed:
    'Le serveur n’a pas accepté ce nom d’utilisateur et ce mot de passe. Vérifiez-les ou créez un nouveau mot de passe d’application.',
  forbidden: 'Le serveur a accepté la connexion mais ne permet pas à cet utilisateur de lister ses agendas.',
  server_unreachable:
    'Aucun serveur CalDAV n’a pu être joint à cette adresse. Vérifiez l’adresse et réessayez.',
  no_calendars: 'Ce compte n’a aucun agenda contenant des événements.',
  feed_unreachable: 'Aucun flux d’agenda n’a pu être lu à cette adresse. Vérifiez l’adresse et réessayez.',
  feed_invalid: 'Cette adresse ne fournit pas de flux d’agenda (ICS).',
  refused_title: 'Ce lien ne peut pas être utilisé',
  unknown_client_text:
    'L’application qui vous a envoyé ici n’est pas connue de ce serveur. Rien n’a été connecté.',
  unregistered_text:
    'L’application qui vous a envoyé ici n’a pas enregistré l’adresse de retour demandée ; vous n’êtes donc redirigé nulle part. Rien n’a été connecté.',
  expired_title: 'Veuillez recommencer',
  expired_text:
    'Ce formulaire a expiré. Retournez dans l’application et recommencez la connexion de votre agenda.',
  busy_title: 'Un problème est survenu',
  busy_text: 'Votre agenda n’a pas pu être connecté pour le moment. Veuillez réessayer.',
  google_name: 'Google Agenda',
  google_hint: 'Gmail et Google Workspace',
  office365_name: 'Microsoft 365',
  office365_hint: 'Agendas Outlook et Exchange Online',
  provider_failed: '{provider} n’a pas pu être joint ou n’a pas accepté la connexion. Veuillez réessayer.',
  provider_hint:
    'Vous vous connectez chez {provider} ; votre mot de passe n’est jamais montré à rtseq ni à l’application.',
};

const es: AuthorizeCatalogue = {
  title: 'Conectar tu calendario',
  lead: '{app} quiere ver cuándo estás ocupado para ofrecerte solo horarios que te vengan bien.',
  lead_plain:
    'Esta aplicación quiere ver cuándo estás ocupado para ofrecerte solo horarios que te vengan bien.',
  choose_title: '¿Dónde está tu calendario?',
  caldav_name: 'Servidor CalDAV',
  caldav_hint: 'iCloud, Fastmail, Nextcloud y otros servidores CalDAV',
  ics_name: 'Feed de calendario (ICS)',
  ics_hint: 'Un enlace de solo lectura a un calendario, que termina en .ics o empieza por webcal://',
  caldav_title: 'Conectar un calendario CalDAV',
  ics_title: 'Conectar un feed de calendario',
  server_label: 'Dirección del servidor',
  server_help:
    'iCloud: https://caldav.icloud.com/ · Fastmail: https://caldav.fastmail.com/ · Nextcloud: https://tu-servidor/remote.php/dav/',
  username_label: 'Nombre de usuario',
  username_help: 'Normalmente tu dirección de correo electrónico.',
  password_label: 'Contraseña de aplicación',
  password_help:
    'Crea una contraseña específica para aplicaciones en los ajustes de tu cuenta; puede que tu contraseña principal no funcione.',
  feed_label: 'Dirección del feed',
  feed_help: 'Solo se leen las horas ocupadas. No se escribe nada en un feed.',
  connect: 'Conectar',
  cancel: 'Cancelar',
  other_provider: 'Elegir otro tipo de calendario',
  privacy: 'Tu contraseña se guarda cifrada y nunca se muestra a {app}.',
  privacy_plain: 'Tu contraseña se guarda cifrada y nunca se muestra a la aplicación.',
  errors_title: 'Revisa el formulario',
  missing_server: 'Escribe la dirección de tu servidor CalDAV.',
  missing_username: 'Escribe tu nombre de usuario.',
  missing_password: 'Escribe tu contraseña de aplicación.',
  missing_feed: 'Escribe la dirección del feed.',
  not_url: 'Escribe una dirección completa que empiece por https://',
  auth_failed:
    'El servidor no aceptó este nombre de usuario y contraseña. Revísalos o crea una nueva contraseña de aplicación.',
  forbidden: 'El servidor aceptó el inicio de sesión, pero no permite a este usuario ver sus calendarios.',
  server_unreachable:
    'No se pudo contactar con ningún servidor CalDAV en esta dirección. Revisa la dirección e inténtalo de nuevo.',
  no_calendars: 'Esta cuenta no tiene calendarios con eventos.',
  feed_unreachable:
    'No se pudo leer ningún feed de calendario en esta dirección. Revisa la dirección e inténtalo de nuevo.',
  feed_invalid: 'Esta dirección no ofrece un feed de calendario (ICS).',
  refused_title: 'Este enlace no se puede usar',
  unknown_client_text: 'Este servidor no conoce la aplicación que te envió aquí. No se ha conectado nada.',
  unregistered_text:
    'La aplicación que te envió aquí no registró la dirección a la que pidió volver, así que no se te redirige a ningún sitio. No se ha conectado nada.',
  expired_title: 'Empieza de nuevo',
  expired_text:
    'Este formulario ha caducado. Vuelve a la aplicación y empieza de nuevo a conectar tu calendario.',
  busy_title: 'Algo ha fallado',
  busy_text: 'No se ha podido conectar tu calendario en este momento. Inténtalo de nuevo.',
  google_name: 'Google Calendar',
  google_hint: 'Gmail y Google Workspace',
  office365_name: 'Microsoft 365',
  office365_hint: 'Calendarios de Outlook y Exchange Online',
  provider_failed:
    'No se ha podido contactar con {provider} o no ha aceptado el inicio de sesión. Inténtalo de nuevo.',
  provider_hint: 'Inicias sesión en {provider}; ni rtseq ni la aplicación ven nunca tu contraseña.',
};

const nl: AuthorizeCatalogue = {
  title: 'Je agenda koppelen',
  lead: '{app} wil zien wanneer je bezet bent, zodat je alleen tijden krijgt die je uitkomen.',
  lead_plain:
    'Deze applicatie wil zien wanneer je bezet bent, zodat je alleen tijden krijgt die je uitkomen.',
  choose_title: 'Waar staat je agenda?',
  caldav_name: 'CalDAV-server',
  caldav_hint: 'iCloud, Fastmail, Nextcloud en andere CalDAV-servers',
  ics_name: 'Agendafeed (ICS)',
  ics_hint: 'Een alleen-lezen link naar een agenda, eindigend op .ics of beginnend met webcal://',
  caldav_title: 'Een CalDAV-agenda koppelen',
  ics_title: 'Een agendafeed koppelen',
  server_label: 'Serveradres',
  server_help:
    'iCloud: https://caldav.icloud.com/ · Fastmail: https://caldav.fastmail.com/ · Nextcloud: https://jouw-server/remote.php/dav/',
  username_label: 'Gebruikersnaam',
  username_help: 'Meestal je e-mailadres.',
  password_label: 'App-wachtwoord',
  password_help:
    'Maak in je accountinstellingen een app-specifiek wachtwoord aan; je gewone wachtwoord werkt misschien niet.',
  feed_label: 'Feedadres',
  feed_help: 'Alleen bezette tijden worden gelezen. Er wordt niets in een feed geschreven.',
  connect: 'Koppelen',
  cancel: 'Annuleren',
  other_provider: 'Een ander soort agenda kiezen',
  privacy: 'Je wachtwoord wordt versleuteld bewaard en nooit aan {app} getoond.',
  privacy_plain: 'Je wachtwoord wordt versleuteld bewaard en nooit aan de applicatie getoond.',
  errors_title: 'Controleer het formulier',
  missing_server: 'Vul het adres van je CalDAV-server in.',
  missing_username: 'Vul je gebruikersnaam in.',
  missing_password: 'Vul je app-wachtwoord in.',
  missing_feed: 'Vul het adres van de feed in.',
  not_url: 'Vul een volledig adres in dat begint met https://',
  auth_failed:
    'De server accepteerde deze gebruikersnaam en dit wachtwoord niet. Controleer ze of maak een nieuw app-wachtwoord aan.',
  forbidden: 'De server accepteerde de aanmelding, maar laat deze gebruiker geen agenda’s opvragen.',
  server_unreachable:
    'Op dit adres was geen CalDAV-server bereikbaar. Controleer het adres en probeer het opnieuw.',
  no_calendars: 'Dit account heeft geen agenda’s met afspraken.',
  feed_unreachable:
    'Op dit adres kon geen agendafeed worden gelezen. Controleer het adres en probeer het opnieuw.',
  feed_invalid: 'Dit adres levert geen agendafeed (ICS).',
  refused_title: 'Deze link kan niet worden gebruikt',
  unknown_client_text:
    'De applicatie die je hierheen stuurde is onbekend bij deze server. Er is niets gekoppeld.',
  unregistered_text:
    'De applicatie die je hierheen stuurde heeft het terugkeeradres niet geregistreerd, dus je wordt nergens heen gestuurd. Er is niets gekoppeld.',
  expired_title: 'Begin opnieuw',
  expired_text:
    'Dit formulier is verlopen. Ga terug naar de applicatie en begin opnieuw met het koppelen van je agenda.',
  busy_title: 'Er ging iets mis',
  busy_text: 'Je agenda kon nu niet worden gekoppeld. Probeer het opnieuw.',
  google_name: 'Google Agenda',
  google_hint: 'Gmail en Google Workspace',
  office365_name: 'Microsoft 365',
  office365_hint: "Outlook- en Exchange Online-agenda's",
  provider_failed: '{provider} was niet bereikbaar of accepteerde de aanmelding niet. Probeer het opnieuw.',
  provider_hint: 'Je meldt je aan bij {provider}; rtseq en de applicatie zien je wachtwoord nooit.',
};

const ja: AuthorizeCatalogue = {
  title: 'カレンダーを接続',
  lead: '{app}は、都合のよい日時だけを提案できるよう、あなたの予定が埋まっている時間を確認したいと考えています。',
  lead_plain:
    'このアプリケーションは、都合のよい日時だけを提案できるよう、あなたの予定が埋まっている時間を確認したいと考えています。',
  choose_title: 'カレンダーはどこにありますか?',
  caldav_name: 'CalDAVサーバー',
  caldav_hint: 'iCloud、Fastmail、Nextcloudなどの CalDAV サーバー',
  ics_name: 'カレンダーフィード(ICS)',
  ics_hint: '.ics で終わるか webcal:// で始まる、読み取り専用のカレンダーのリンク',
  caldav_title: 'CalDAVカレンダーを接続',
  ics_title: 'カレンダーフィードを接続',
  server_label: 'サーバーのアドレス',
  server_help:
    'iCloud: https://caldav.icloud.com/ · Fastmail: https://caldav.fastmail.com/ · Nextcloud: https://your-server/remote.php/dav/',
  username_label: 'ユーザー名',
  username_help: '通常はメールアドレスです。',
  password_label: 'アプリ用パスワード',
  password_help:
    'アカウント設定でアプリ用パスワードを作成してください。通常のパスワードでは接続できない場合があります。',
  feed_label: 'フィードのアドレス',
  feed_help: '読み取るのは予定のある時間だけです。フィードには何も書き込みません。',
  connect: '接続する',
  cancel: 'キャンセル',
  other_provider: '別の種類のカレンダーを選ぶ',
  privacy: 'パスワードは暗号化して保存され、{app}に表示されることはありません。',
  privacy_plain: 'パスワードは暗号化して保存され、アプリケーションに表示されることはありません。',
  errors_title: '入力内容を確認してください',
  missing_server: 'CalDAVサーバーのアドレスを入力してください。',
  missing_username: 'ユーザー名を入力してください。',
  missing_password: 'アプリ用パスワードを入力してください。',
  missing_feed: 'フィードのアドレスを入力してください。',
  not_url: 'https:// で始まる完全なアドレスを入力してください。',
  auth_failed:
    'サーバーがこのユーザー名とパスワードを受け付けませんでした。入力内容を確認するか、新しいアプリ用パスワードを作成してください。',
  forbidden: 'サーバーはログインを受け付けましたが、このユーザーにカレンダーの一覧を許可していません。',
  server_unreachable:
    'このアドレスでは CalDAV サーバーに接続できませんでした。アドレスを確認して、もう一度お試しください。',
  no_calendars: 'このアカウントには予定を入れられるカレンダーがありません。',
  feed_unreachable:
    'このアドレスからカレンダーフィードを読み取れませんでした。アドレスを確認して、もう一度お試しください。',
  feed_invalid: 'このアドレスはカレンダーフィード(ICS)ではありません。',
  refused_title: 'このリンクは使用できません',
  unknown_client_text:
    'ここに案内したアプリケーションはこのサーバーに登録されていません。何も接続されていません。',
  unregistered_text:
    'ここに案内したアプリケーションが戻り先のアドレスを登録していないため、どこにも移動しません。何も接続されていません。',
  expired_title: 'もう一度始めてください',
  expired_text:
    'このフォームは期限切れです。アプリケーションに戻り、カレンダーの接続をもう一度始めてください。',
  busy_title: '問題が発生しました',
  busy_text: '現在カレンダーを接続できませんでした。もう一度お試しください。',
  google_name: 'Google カレンダー',
  google_hint: 'Gmail と Google Workspace',
  office365_name: 'Microsoft 365',
  office365_hint: 'Outlook と Exchange Online のカレンダー',
  provider_failed:
    '{provider} に接続できないか、サインインが受け付けられませんでした。もう一度お試しください。',
  provider_hint: '{provider} でサインインします。パスワードが rtseq やアプリに渡ることはありません。',
};

export const AUTHORIZE_CATALOGUES: Readonly<Record<Language, AuthorizeCatalogue>> = {
  en,
  de,
  fr,
  es,
  nl,
  ja,
};

export type TranslateAuthorize = (key: AuthorizeKey, params?: Params) => string;

export function authorizeTranslator(language: Language): TranslateAuthorize {
  const catalogue = AUTHORIZE_CATALOGUES[language];
  return (key, params) => fill(catalogue[key], params);
}
